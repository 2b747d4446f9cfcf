import Glibc

/// A calendar date (`YYYY-MM-DD`), the effective date of an event. China's fiscal year is
/// the calendar year, so an event's fiscal year is its date's year.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard FiscalYears.contains(year), (1...12).contains(month),
              (1...CivilDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Strict `YYYY-MM-DD`; nil for anything else, including impossible days (2023-02-29).
    public init?(_ text: some StringProtocol) {
        var s = String(text)
        guard let d = s.withUTF8({ CivilDate.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = d
    }

    static func parse(_ u: UnsafeRawBufferPointer) -> CivilDate? {
        guard u.count == 10, u[4] == 45, u[7] == 45 else { return nil }
        var v = [0, 0, 0]
        for (k, r) in [(0, 0..<4), (1, 5..<7), (2, 8..<10)] {
            for i in r { guard isDigit(u[i]) else { return nil }; v[k] = v[k] * 10 + Int(u[i] - 48) }
        }
        return CivilDate(year: v[0], month: v[1], day: v[2])
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func firstOfYear(_ year: Int) -> CivilDate { CivilDate(year: year, month: 1, day: 1)! }

    public var isFirstOfYear: Bool { month == 1 && day == 1 }  // calendar fact; 年初预算 is `InitialBudget`

    /// YYYYMMDD as one integer, ordered like the date.
    var packed: Int { year * 10_000 + month * 100 + day }

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
        var t = text
        let ok = t.withUTF8 { u -> Bool in
            guard u.count == 20, u[10] == 84, u[13] == 58, u[16] == 58, u[19] == 90,
                  CivilDate.parse(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(u)[0..<10])) != nil,
                  isDigit(u[11]), isDigit(u[12]), isDigit(u[14]), isDigit(u[15]), isDigit(u[17]), isDigit(u[18])
            else { return false }
            func two(_ i: Int) -> Int { Int(u[i] - 48) * 10 + Int(u[i + 1] - 48) }
            return two(11) < 24 && two(14) < 60 && two(17) < 61
        }
        guard ok else { return nil }
        self.text = t
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
    /// The UTC day of this time.
    public var day: CivilDate { CivilDate(String(text.prefix(10)))! }
}

/// Where "now" comes from, so tests and reproducible rebuilds can fix it.
public struct Clock: Sendable {
    public let now: @Sendable () -> Timestamp
    public init(now: @escaping @Sendable () -> Timestamp) { self.now = now }
    public static let system = Clock { Timestamp(posixSeconds: Int(time(nil))) }
    public static func fixed(_ t: Timestamp) -> Clock { Clock { t } }
}
