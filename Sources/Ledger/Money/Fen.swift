/// An amount of money as an integer number of 分 (0.01 yuan). The only money type in the
/// project: no `Double`, `Float` or `Decimal` ever holds an amount. Parsing and formatting
/// live here, at the edge.
public struct Fen: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var raw: Int64

    public init(_ raw: Int64) { self.raw = raw }

    public static let zero = Fen(0)

    /// The largest single amount an event may carry: 10^15 分 (10 万亿元). Anything
    /// larger is a typing error, and sums of a million such amounts still fit in Int64.
    public static let maxEventAmount = Fen(1_000_000_000_000_000)

    public static func < (l: Fen, r: Fen) -> Bool { l.raw < r.raw }
    public static prefix func - (x: Fen) -> Fen {
        precondition(x.raw != Int64.min, "Fen overflow: negating the smallest Int64")
        return Fen(-x.raw)
    }

    /// Checked addition: nil on overflow.
    public func adding(_ other: Fen) -> Fen? {
        let (v, o) = raw.addingReportingOverflow(other.raw)
        return o ? nil : Fen(v)
    }

    // Money arithmetic, in one place. The validator bounds a journal's volume (the sum of every
    // event's amount, `maxJournalVolume`), so no sum or difference of its figures can leave
    // Int64: an overflow here is a broken invariant and stops the program rather than print a
    // wrong figure.

    /// The most a journal's amounts may add up to (ignoring sign): a quarter of Int64, so that
    /// every figure derived from them (budgets, balances, totals, statement cells) fits.
    public static let maxJournalVolume = Fen(Int64.max / 4)

    public static func + (l: Fen, r: Fen) -> Fen {
        let (v, o) = l.raw.addingReportingOverflow(r.raw)
        precondition(!o, "Fen overflow: \(l.raw) + \(r.raw) (the journal volume bound should make this impossible)")
        return Fen(v)
    }

    public static func - (l: Fen, r: Fen) -> Fen {
        let (v, o) = l.raw.subtractingReportingOverflow(r.raw)
        precondition(!o, "Fen overflow: \(l.raw) − \(r.raw) (the journal volume bound should make this impossible)")
        return Fen(v)
    }

    public static func += (l: inout Fen, r: Fen) { l = l + r }
    public static func -= (l: inout Fen, r: Fen) { l = l - r }

    /// The amount times a sign (+1 or −1).
    public func signed(_ sign: Int64) -> Fen {
        precondition(sign == 1 || sign == -1 || sign == 0, "a sign is +1, −1 or 0")
        return sign == 0 ? .zero : (sign < 0 ? -self : self)
    }

    /// Magnitude, for volume bounds.
    public var magnitude: Fen { raw < 0 ? -self : self }

    public var description: String { yuan }

    /// `4674200.00`, `-0.05`: yuan with exactly two decimals, no grouping (CSV, JSON text).
    public var yuan: String { Fen.format(raw, scale: 100, decimals: 2, grouping: false) }

    /// `4,674,200.00`: yuan with thousands separators, for tables.
    public var yuanGrouped: String { Fen.format(raw, scale: 100, decimals: 2, grouping: true) }

    /// 万元 rounded half up (away from zero on the magnitude) to two decimals: 4674200.00 → `467.42`.
    public var wan: String {
        Fen.format(wanCents, scale: 100, decimals: 2, grouping: false)
    }

    /// The amount as published: 万元 with two decimals, in units of 0.01 万元 (10,000 分), each
    /// figure rounded on its own, half away from zero. The one rounding rule of every printed
    /// 万元 figure and of the reconciler's printed-cell checks.
    public var wanCents: Int64 {
        let units = Int64((raw.magnitude + 5_000) / 10_000)
        return raw < 0 ? -units : units
    }

    /// The common case without allocation: ASCII digits with an optional '.' and up to two decimals.
    private static func parsePlainYuan(_ text: String) -> Fen? {
        var t = text
        return t.withUTF8 { u -> Fen? in
            guard !u.isEmpty, u.count <= 16 else { return nil }  // 16 digits × 100 still fits
            var v: Int64 = 0, decimals = -1
            for c in u {
                if c == 0x2e { guard decimals < 0 else { return nil }; decimals = 0; continue }
                guard c >= 0x30, c <= 0x39 else { return nil }
                if decimals >= 0 { decimals += 1; guard decimals <= 2 else { return nil } }
                v = v * 10 + Int64(c - 0x30)
            }
            guard decimals != 0, u[0] != 0x2e else { return nil }
            for _ in 0..<(2 - max(decimals, 0)) { v *= 10 }
            return v <= maxEventAmount.raw ? Fen(v) : nil
        }
    }

    static func format(_ value: Int64, scale: UInt64, decimals: Int, grouping: Bool) -> String {
        let mag = value.magnitude
        var whole = String(mag / scale)
        if grouping && whole.count > 3 {
            var out = ""
            for (i, ch) in whole.enumerated() {
                if i > 0 && (whole.count - i) % 3 == 0 { out.append(",") }
                out.append(ch)
            }
            whole = out
        }
        var frac = String(mag % scale)
        while frac.count < decimals { frac = "0" + frac }
        return (value < 0 ? "-" : "") + whole + "." + frac
    }

    /// Why a piece of text is not an amount.
    public enum ParseError: Error, Equatable, Sendable {
        case malformed          // not a decimal number
        case tooManyDecimals    // more than two decimals of yuan (six of 万元)
        case overflow           // larger than `maxEventAmount`
    }

    /// Parses `4674200`, `4674200.00`, `-1200.5`, `467.42万`, `1200元`. Yuan take at most two
    /// decimals; 万元 at most six (one 分). Thousands separators are not accepted: `1,200`
    /// is ambiguous across locales.
    public static func parse(_ text: String) -> Result<Fen, ParseError> {
        if let plain = parsePlainYuan(text) { return .success(plain) }
        var s = Substring(text.trimmingSpaces)
        var scaleDecimals = 2   // how many decimal digits make one 分
        if s.hasSuffix("万元") { s = s.dropLast(2); scaleDecimals = 6 }
        else if s.hasSuffix("万") { s = s.dropLast(); scaleDecimals = 6 }
        else if s.hasSuffix("元") { s = s.dropLast() }
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let frac = parts.count > 1 ? parts[1] : ""
        guard !whole.isEmpty, whole.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              frac.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              !(parts.count > 1 && frac.isEmpty)
        else { return .failure(.malformed) }
        guard frac.count <= scaleDecimals else { return .failure(.tooManyDecimals) }
        var value: UInt64 = 0
        let limit = UInt64(maxEventAmount.raw)
        for c in Array(whole.utf8) + Array(frac.utf8) + Array(repeating: UInt8(48), count: scaleDecimals - frac.count) {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(c - 48))
            guard !o1, !o2, a <= limit else { return .failure(.overflow) }
            value = a
        }
        return .success(Fen(negative ? -Int64(value) : Int64(value)))
    }
}

extension Sequence where Element == Fen {
    /// The total, with overflow checked.
    public func sum() -> Fen { reduce(.zero, +) }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
