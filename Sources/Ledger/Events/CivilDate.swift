import Glibc

/// A calendar date (`YYYY-MM-DD`), the effective date of an event. China's fiscal year is
/// the calendar year, so an event's fiscal year is its date's year.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1900...9999).contains(year), (1...12).contains(month),
              (1...CivilDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Strict `YYYY-MM-DD`; nil for anything else, including impossible days (2023-02-29).
    public init?(_ text: some StringProtocol) {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == 45, u[7] == 45,
              u[0..<4].allSatisfy(isDigit), u[5..<7].allSatisfy(isDigit), u[8..<10].allSatisfy(isDigit)
        else { return nil }
        func num(_ r: Range<Int>) -> Int { u[r].reduce(0) { $0 * 10 + Int($1 - 48) } }
        self.init(year: num(0..<4), month: num(5..<7), day: num(8..<10))
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func firstOfYear(_ year: Int) -> CivilDate { CivilDate(year: year, month: 1, day: 1)! }

    public var description: String {
        func pad(_ n: Int, _ w: Int) -> String { let s = String(n); return String(repeating: "0", count: w - s.count) + s }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (l: Self, r: Self) -> Bool { (l.year, l.month, l.day) < (r.year, r.month, r.day) }
}

/// The time an event was recorded, in UTC, as `YYYY-MM-DDTHH:MM:SSZ`.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let text: String

    public init?(_ text: String) {
        let u = Array(text.utf8)
        guard u.count == 20, u[10] == 84, u[13] == 58, u[16] == 58, u[19] == 90,
              CivilDate(text.prefix(10)) != nil,
              [11, 12, 14, 15, 17, 18].allSatisfy({ isDigit(u[$0]) }),
              Int(text.dropFirst(11).prefix(2))! < 24, Int(text.dropFirst(14).prefix(2))! < 60,
              Int(text.dropFirst(17).prefix(2))! < 61
        else { return nil }
        self.text = text
    }

    /// The given POSIX time (seconds since 1970) in UTC.
    public init(posixSeconds: Int) {
        var t = time_t(posixSeconds)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func pad(_ n: Int32, _ w: Int) -> String { let s = String(n); return String(repeating: "0", count: w - s.count) + s }
        text = "\(pad(tmv.tm_year + 1900, 4))-\(pad(tmv.tm_mon + 1, 2))-\(pad(tmv.tm_mday, 2))T"
            + "\(pad(tmv.tm_hour, 2)):\(pad(tmv.tm_min, 2)):\(pad(tmv.tm_sec, 2))Z"
    }

    public var description: String { text }
    public static func < (l: Self, r: Self) -> Bool { l.text < r.text }
}

/// Where "now" comes from, so tests and reproducible rebuilds can fix it.
public struct Clock: Sendable {
    public let now: @Sendable () -> Timestamp
    public init(now: @escaping @Sendable () -> Timestamp) { self.now = now }
    public static let system = Clock { Timestamp(posixSeconds: Int(time(nil))) }
    public static func fixed(_ t: Timestamp) -> Clock { Clock { t } }
}
