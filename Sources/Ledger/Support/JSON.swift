/// A JSON value, built by the front ends (the command line, the web pages) from the libraries'
/// typed results and written by one encoder, so that every string is escaped the same way (the
/// journal's own escaping, `FlatJSON.appendString`) and no front end concatenates JSON by hand.
/// Objects keep their members in the order given: the output is stable byte for byte.
/// No floating point: amounts are integers of 分 and rates fixed-point decimals.
public indirect enum JSON: Sendable, Equatable {
    case object([Member])
    case array([JSON], Lines = .inline)
    case string(String)
    case int(Int64)
    /// A fixed-point number: `units` of 10^-`places` (9848 with 2 places is 98.48).
    case decimal(Int64, places: Int)
    case bool(Bool)
    case null

    /// One member of an object.
    public struct Member: Sendable, Equatable {
        public let key: String
        public let value: JSON
        public init(_ key: String, _ value: JSON) { self.key = key; self.value = value }
    }

    /// How an array is laid out: on one line, or one element a line (long lists that people
    /// read and `grep`), with the closing bracket on a line of its own or after the last element.
    public enum Lines: Sendable, Equatable {
        /// `[a,b]`
        case inline
        /// `[` newline `a,` newline `b` newline `]`
        case perElement
        /// `[` newline `a,` newline `b]`
        case perElementClosedInline
    }

    /// An object from key–value pairs, in order.
    public static func object(_ pairs: KeyValuePairs<String, JSON>) -> JSON { .object(pairs.map { Member($0.key, $0.value) }) }

    /// A string, or null when absent.
    public static func string(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
    public static func int(_ v: Int) -> JSON { .int(Int64(v)) }
    public static func int(_ v: Int?) -> JSON { v.map { .int(Int64($0)) } ?? .null }
    public static func int(_ v: Int64?) -> JSON { v.map { .int($0) } ?? .null }
    public static func fen(_ v: Fen) -> JSON { .int(v.raw) }
    public static func fen(_ v: Fen?) -> JSON { v.map { .int($0.raw) } ?? .null }
    public static func percent(_ p: Percent?) -> JSON { p.map { .decimal($0.hundredths, places: 2) } ?? .null }

    /// An event's fields as the journal writes them (their wire names, in the codec's order),
    /// without the `prev` link: what `log` and `show` print.
    public static func event(_ e: Event) -> JSON {
        let line = Array(EventCodec.json(e).utf8)
        // The codec writes strings and integers only; its line always parses.
        guard let fields = try? line.withUnsafeBytes({ b in try FlatJSON.parse(b) }) else {
            preconditionFailure("the event codec wrote a line that does not parse")
        }
        return .object(fields.map { f in
            switch f.value {
            case .string(let s): return Member(f.key, .string(s))
            case .number(let n):
                guard let v = Int64(n) else { preconditionFailure("the event codec wrote a number that is not an integer: \(n)") }
                return Member(f.key, .int(v))
            case .bool(let b): return Member(f.key, .bool(b))
            case .null: return Member(f.key, .null)
            }
        })
    }

    /// The value as JSON text.
    public var encoded: String {
        var out: [UInt8] = []
        encode(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The one encoder.
    public func encode(into out: inout [UInt8]) {
        switch self {
        case .object(let members):
            out.append(0x7b)
            for (i, m) in members.enumerated() {
                if i > 0 { out.append(0x2c) }
                FlatJSON.appendString(m.key, to: &out)
                out.append(0x3a)
                m.value.encode(into: &out)
            }
            out.append(0x7d)
        case .array(let elements, let lines):
            out.append(0x5b)
            if lines != .inline { out.append(0x0a) }
            for (i, e) in elements.enumerated() {
                if i > 0 { out.append(0x2c); if lines != .inline { out.append(0x0a) } }
                e.encode(into: &out)
            }
            if lines == .perElement { out.append(0x0a) }
            out.append(0x5d)
        case .string(let s):
            FlatJSON.appendString(s, to: &out)
        case .int(let v):
            FlatJSON.appendInt(v, to: &out)
        case .decimal(let units, let places):
            precondition(places >= 0 && places <= 18, "a decimal has 0–18 places")
            guard places > 0 else { FlatJSON.appendInt(units, to: &out); return }
            var scale: UInt64 = 1
            for _ in 0..<places { scale *= 10 }
            let m = units.magnitude
            if units < 0 { out.append(0x2d) }
            FlatJSON.appendInt(Int64(m / scale), to: &out)
            out.append(0x2e)
            let frac = String(m % scale)
            out.append(contentsOf: repeatElement(0x30, count: places - frac.utf8.count))
            out.append(contentsOf: frac.utf8)
        case .bool(let b):
            out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null:
            out.append(contentsOf: "null".utf8)
        }
    }
}
