/// A JSON reader and writer for *flat* objects (string, number, boolean and null values; no
/// nesting), which is all a journal line or an import row is. Hand-written because it is on
/// the replay path: Foundation's `JSONDecoder` is several times slower for a million lines.

/// One value of a flat object. Numbers keep their text, so an amount is never a float.
public enum FlatValue: Hashable, Sendable {
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// The text of a string or number value (how import rows read amounts either way).
    public var text: String? {
        switch self {
        case .string(let s), .number(let s): return s
        case .bool, .null: return nil
        }
    }
}

/// Why a line is not a flat JSON object; `offset` is the byte offset within the line.
public struct FlatJSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public let offset: Int
    public let message: String
    public var description: String { "byte \(offset + 1): \(message)" }
}

public enum FlatJSON {
    /// Parses one object. Keys must be unique. Returns the fields in file order.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(FlatJSONError) -> [(key: String, value: FlatValue)] {
        var p = Parser(bytes: bytes)
        return try p.object()
    }

    public static func parse(_ text: String) throws(FlatJSONError) -> [(key: String, value: FlatValue)] {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { b in Result { () throws(FlatJSONError) in try parse(b) } }
        return try result.get()
    }

    /// Appends `"text"` with JSON escaping. Non-ASCII is written as UTF-8, unescaped, so Chinese
    /// stays readable and `grep`-able.
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        // Most strings need no escape: copied whole, not byte by byte.
        if let clean = s.utf8.withContiguousStorageIfAvailable({ b -> Bool in
            guard !b.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5c }) else { return false }
            out.append(contentsOf: b)
            return true
        }), clean {
            out.append(0x22)
            return
        }
        for c in s.utf8 {
            switch c {
            case 0x22: out.append(0x5c); out.append(0x22)
            case 0x5c: out.append(0x5c); out.append(0x5c)
            case 0x0a: out.append(0x5c); out.append(0x6e)
            case 0x0d: out.append(0x5c); out.append(0x72)
            case 0x09: out.append(0x5c); out.append(0x74)
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexUpper[Int(c >> 4)]); out.append(hexUpper[Int(c & 0xf)])
            default: out.append(c)
            }
        }
        out.append(0x22)
    }

    public static func appendInt(_ v: Int64, to out: inout [UInt8]) {
        if v == 0 { out.append(0x30); return }
        var mag = v.magnitude
        if v < 0 { out.append(0x2d) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while mag > 0 { d[n] = UInt8(48 + mag % 10); mag /= 10; n += 1 }
            for i in stride(from: n - 1, through: 0, by: -1) { out.append(d[i]) }
        }
    }
}

private let hexUpper: [UInt8] = Array("0123456789abcdef".utf8)

private struct Parser {
    let bytes: UnsafeRawBufferPointer
    var i = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func fail(_ message: String) -> FlatJSONError { FlatJSONError(offset: i, message: message) }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0d || bytes[i] == 0x0a { i += 1 }
    }

    mutating func expect(_ c: UInt8, _ what: String) throws(FlatJSONError) {
        skipSpace()
        guard i < bytes.count, bytes[i] == c else { throw fail("expected \(what)") }
        i += 1
    }

    mutating func object() throws(FlatJSONError) -> [(key: String, value: FlatValue)] {
        var fields: [(key: String, value: FlatValue)] = []
        fields.reserveCapacity(20)
        try expect(0x7b, "'{' to open the object")
        skipSpace()
        if i < bytes.count, bytes[i] == 0x7d {
            i += 1
        } else {
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == 0x22 else { throw fail("expected a \"key\"") }
                let keyAt = i
                let key = try string()
                for f in fields where f.key == key {
                    throw FlatJSONError(offset: keyAt, message: "key \"\(key)\" appears twice")
                }
                try expect(0x3a, "':' after key \"\(key)\"")
                let value = try self.value(key: key)
                fields.append((key, value))
                skipSpace()
                guard i < bytes.count else { throw fail("object is not closed: expected ',' or '}'") }
                if bytes[i] == 0x2c { i += 1; continue }
                if bytes[i] == 0x7d { i += 1; break }
                throw fail("expected ',' or '}' after the value of \"\(key)\"")
            }
        }
        skipSpace()
        guard i == bytes.count else { throw fail("unexpected text after the closing '}'") }
        return fields
    }

    mutating func value(key: String) throws(FlatJSONError) -> FlatValue {
        skipSpace()
        guard i < bytes.count else { throw fail("expected a value for \"\(key)\"") }
        switch bytes[i] {
        case 0x22: return .string(try string())
        case 0x2d, 0x30...0x39: return .number(try number())
        case 0x74: try literal("true"); return .bool(true)
        case 0x66: try literal("false"); return .bool(false)
        case 0x6e: try literal("null"); return .null
        case 0x7b, 0x5b: throw fail("nested objects and arrays are not allowed (value of \"\(key)\")")
        default: throw fail("expected a value for \"\(key)\"")
        }
    }

    mutating func literal(_ word: String) throws(FlatJSONError) {
        for c in word.utf8 {
            guard i < bytes.count, bytes[i] == c else { throw fail("expected '\(word)'") }
            i += 1
        }
    }

    mutating func number() throws(FlatJSONError) -> String {
        let start = i
        if bytes[i] == 0x2d { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else { throw fail("expected a digit") }
        if bytes[i] == 0x30, i + 1 < bytes.count, isDigit(bytes[i + 1]) { throw fail("leading zeros are not allowed") }
        while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        if i < bytes.count, bytes[i] == 0x2e {
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { throw fail("expected a digit after '.'") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == 0x65 || bytes[i] == 0x45 { throw fail("exponents are not allowed in amounts") }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    }

    mutating func string() throws(FlatJSONError) -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes.
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x22 {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
                i += 1
                return try validUTF8(raw, at: start)
            }
            if c == 0x5c { break }
            if c < 0x20 { throw fail("control character in a string must be escaped") }
            i += 1
        }
        var out = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x22 {
                i += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw FlatJSONError(offset: start, message: "string is not valid UTF-8")
                }
                return s
            }
            if c < 0x20 { throw fail("control character in a string must be escaped") }
            if c != 0x5c { out.append(c); i += 1; continue }
            i += 1
            guard i < bytes.count else { break }
            switch bytes[i] {
            case 0x22: out.append(0x22)
            case 0x5c: out.append(0x5c)
            case 0x2f: out.append(0x2f)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0c)
            case 0x6e: out.append(0x0a)
            case 0x72: out.append(0x0d)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = try hex4()
                if (0xd800..<0xdc00).contains(scalar) {
                    guard i + 2 < bytes.count, bytes[i + 1] == 0x5c, bytes[i + 2] == 0x75 else {
                        throw fail("unpaired surrogate in \\u escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xdc00..<0xe000).contains(low) else { throw fail("unpaired surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                } else if (0xdc00..<0xe000).contains(scalar) {
                    throw fail("unpaired surrogate in \\u escape")
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default: throw fail("unknown escape '\\\(Character(Unicode.Scalar(bytes[i])))'")
            }
            i += 1
        }
        throw fail("string is not closed")
    }

    /// Reads the 4 hex digits after `\u`; leaves `i` on the last one.
    mutating func hex4() throws(FlatJSONError) -> UInt32 {
        guard i + 4 < bytes.count else { throw fail("\\u needs 4 hex digits") }
        var v: UInt32 = 0
        for k in 1...4 {
            guard let h = hexValue(bytes[i + k]) else { throw fail("\\u needs 4 hex digits") }
            v = v << 4 | UInt32(h)
        }
        i += 4
        return v
    }

    func validUTF8(_ raw: UnsafeRawBufferPointer, at start: Int) throws(FlatJSONError) -> String {
        // ASCII needs no check; otherwise validate (String(validating:) refuses bad UTF-8).
        var ascii = true
        for c in raw where c >= 0x80 { ascii = false; break }
        if ascii { return String(decoding: raw, as: UTF8.self) }
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw FlatJSONError(offset: start, message: "string is not valid UTF-8")
        }
        return s
    }
}
