import Foundation

/// Text that comes in from outside (import files): UTF-8 (with or without a byte-order mark), or
/// GB18030 when asked — what a spreadsheet on a Chinese desktop saves CSV in. Text that is not
/// valid in its encoding is refused with the line it breaks on, never stored garbled.
public enum TextEncoding: String, CaseIterable, Sendable {
    case utf8 = "utf-8"
    case gb18030 = "gb18030"

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        /// 1-based line of the first byte that is not valid.
        public let line: Int
        public let offset: Int
        /// What the bytes probably are, when they read as another encoding.
        public let likely: TextEncoding?
        public let encoding: TextEncoding
        public var description: String {
            "line \(line) (byte \(offset + 1)) is not valid \(encoding.rawValue)"
                + (likely.map { "; it reads as \($0.rawValue) (what spreadsheets on a Chinese desktop save): give --encoding \($0.rawValue)" } ?? "")
        }
    }

    /// Decodes `data`; a UTF-8 byte-order mark is dropped (with `mark`: the data is the start
    /// of its file, not a later piece of it).
    public func decode(_ data: [UInt8], mark: Bool = true) -> Result<String, Invalid> {
        switch self {
        case .utf8:
            var bytes = data[...]
            if mark, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            if let s = String(validating: bytes, as: UTF8.self) { return .success(s) }
            let bad = TextEncoding.firstInvalidUTF8(Array(bytes)) + (data.count - bytes.count)
            let likely: TextEncoding? = (try? GB18030.decode(Array(bytes)).get()).map { _ in .gb18030 }
            return .failure(Invalid(line: TextEncoding.line(of: bad, in: data), offset: bad, likely: likely, encoding: .utf8))
        case .gb18030:
            switch GB18030.decode(data) {
            case .success(let s): return .success(s)
            case .failure(let o):
                let offset = o.value
                return .failure(Invalid(line: TextEncoding.line(of: offset, in: data), offset: offset,
                                        likely: String(validating: data, as: UTF8.self) != nil ? .utf8 : nil, encoding: .gb18030))
            }
        }
    }

    static func line(of offset: Int, in data: [UInt8]) -> Int { data[..<min(offset, data.count)].reduce(1) { $1 == 0x0a ? $0 + 1 : $0 } }

    /// Offset of the first byte that breaks UTF-8.
    static func firstInvalidUTF8(_ b: [UInt8]) -> Int {
        var i = 0
        while i < b.count {
            let c = b[i]
            let n = c < 0x80 ? 1 : (c >> 5 == 0b110 ? 2 : (c >> 4 == 0b1110 ? 3 : (c >> 3 == 0b11110 ? 4 : 0)))
            guard n > 0, i + n <= b.count else { return i }
            if n > 1, String(validating: b[i..<(i + n)], as: UTF8.self) == nil { return i }
            i += n
        }
        return b.count
    }
}

/// GB18030 decoding from the mapping in `Resources/gb18030.txt` (two-byte codes, and four-byte
/// BMP codes as ranges; four-byte codes from 0x90 map linearly onto U+10000–U+10FFFF).
public enum GB18030 {
    struct Table: Sendable {
        var twoByte: [UInt16]      // (lead − 0x81) × 190 + trail index → code point, 0xFFFF none
        var ranges: [(pointer: Int, codePoint: Int, count: Int)]
    }

    static let table: Table = {
        guard let url = Bundle.module.url(forResource: "gb18030", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return Table(twoByte: [], ranges: []) }
        var two = [UInt16](repeating: 0xFFFF, count: 126 * 190)
        var ranges: [(Int, Int, Int)] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t")
            if f.first == "R", f.count == 4, let p = Int(f[1], radix: 16), let c = Int(f[2], radix: 16), let n = Int(f[3], radix: 16) {
                ranges.append((p, c, n))
            } else if f.count == 2, let lead = Int(f[0], radix: 16), (0x81...0xFE).contains(lead) {
                let hex = Array(f[1].utf8)
                for k in 0..<min(190, hex.count / 4) {
                    two[(lead - 0x81) * 190 + k] = UInt16(String(decoding: hex[(k * 4)..<(k * 4 + 4)], as: UTF8.self), radix: 16) ?? 0xFFFF
                }
            }
        }
        return Table(twoByte: two, ranges: ranges.map { (pointer: $0.0, codePoint: $0.1, count: $0.2) })
    }()

    /// Where a byte sequence stops being GB18030.
    public struct Offset: Error, Sendable { public let value: Int }

    /// The text, or the offset of the first byte that is not GB18030.
    public static func decode(_ b: [UInt8]) -> Result<String, Offset> {
        let t = table
        guard !t.twoByte.isEmpty else { return .failure(Offset(value: 0)) }
        var scalars = String.UnicodeScalarView()
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 { scalars.append(Unicode.Scalar(c)); i += 1; continue }
            guard (0x81...0xFE).contains(c), i + 1 < b.count else { return .failure(Offset(value: i)) }
            let c2 = b[i + 1]
            if (0x40...0x7E).contains(c2) || (0x80...0xFE).contains(c2) {
                let trail = c2 < 0x80 ? Int(c2) - 0x40 : Int(c2) - 0x80 + 63
                let cp = t.twoByte[(Int(c) - 0x81) * 190 + trail]
                guard cp != 0xFFFF, let s = Unicode.Scalar(cp) else { return .failure(Offset(value: i)) }
                scalars.append(s); i += 2; continue
            }
            guard (0x30...0x39).contains(c2), i + 3 < b.count, (0x81...0xFE).contains(b[i + 2]), (0x30...0x39).contains(b[i + 3]) else { return .failure(Offset(value: i)) }
            let linear = (Int(c) - 0x81) * 12600 + (Int(c2) - 0x30) * 1260 + (Int(b[i + 2]) - 0x81) * 10 + (Int(b[i + 3]) - 0x30)
            var cp: Int?
            if c >= 0x90 {
                let v = linear - (0x90 - 0x81) * 12600 + 0x10000
                cp = v <= 0x10FFFF ? v : nil
            } else {
                var lo = 0, hi = t.ranges.count
                while lo < hi { let mid = (lo + hi) / 2; if t.ranges[mid].pointer <= linear { lo = mid + 1 } else { hi = mid } }
                if lo > 0, linear - t.ranges[lo - 1].pointer < t.ranges[lo - 1].count { cp = t.ranges[lo - 1].codePoint + linear - t.ranges[lo - 1].pointer }
            }
            guard let v = cp, let s = Unicode.Scalar(v) else { return .failure(Offset(value: i)) }
            scalars.append(s); i += 4
        }
        return .success(String(scalars))
    }
}
