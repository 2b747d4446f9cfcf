import Dispatch
import Glibc

/// The lines of a buffer: where each starts and ends (the end excludes the newline), and the
/// start of a final piece with no newline, which is a line cut short.
struct LineTable {
    var starts: [Int] = []
    var ends: [Int] = []
    var tornStart: Int?

    var count: Int { starts.count }

    init(_ buf: UnsafeRawBufferPointer) {
        guard let base = buf.baseAddress, buf.count > 0 else { return }
        let estimate = buf.count / 300 + 16
        starts.reserveCapacity(estimate)
        ends.reserveCapacity(estimate)
        var start = 0
        while start < buf.count {
            guard let nl = memchr(base + start, 0x0a, buf.count - start) else {
                tornStart = start
                break
            }
            let end = base.distance(to: UnsafeRawPointer(nl))
            starts.append(start)
            ends.append(end)
            start = end + 1
        }
    }

    func line(_ i: Int, in buf: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buf[starts[i]..<ends[i]])
    }
}

/// Decodes the event on the line starting at `offset` of `buf`.
func decodeLine(at offset: Int, in buf: UnsafeRawBufferPointer) -> Event? {
    guard offset >= 0, offset < buf.count, let base = buf.baseAddress,
          let nl = memchr(base + offset, 0x0a, buf.count - offset) else { return nil }
    let end = base.distance(to: UnsafeRawPointer(nl))
    return decodeEvent(UnsafeRawBufferPointer(rebasing: buf[offset..<end]))
}

/// Decodes one line: the strict decoder first, the general one for a line it refuses.
func decodeEvent(_ line: UnsafeRawBufferPointer) -> Event? {
    StrictDecoder.decode(line)?.event ?? (try? EventCodec.decode(line).event)
}

extension UnsafeRawBufferPointer {
    /// Whether `needle` occurs in these bytes (memchr for its first byte, then memcmp).
    func containsBytes(_ needle: [UInt8]) -> Bool { firstOffset(of: needle) != nil }

    /// Where `needle` first occurs in these bytes.
    func firstOffset(of needle: [UInt8]) -> Int? {
        guard let base = baseAddress, let first = needle.first else { return needle.isEmpty ? 0 : nil }
        return needle.withUnsafeBytes { n -> Int? in
            var at = 0
            while count - at >= n.count, let hit = memchr(base + at, Int32(first), count - at - n.count + 1) {
                if memcmp(hit, n.baseAddress!, n.count) == 0 { return base.distance(to: UnsafeRawPointer(hit)) }
                at = base.distance(to: UnsafeRawPointer(hit)) + 1
            }
            return nil
        }
    }

    /// Whether a canonical journal line is of one of `types`: its `type` value, read where the
    /// line format puts it (after `seq` and `id`, near the start), equals one of them.
    func isLine(ofType types: [[UInt8]]) -> Bool {
        guard let at = firstOffset(of: LineKeys.type) else { return false }
        let rest = UnsafeRawBufferPointer(rebasing: self[(at + LineKeys.type.count)...])
        return types.contains { t in rest.count > t.count && rest[t.count] == 0x22 && memcmp(rest.baseAddress!, t, t.count) == 0 }
    }
}

private enum LineKeys {
    static let type = Array((",\"" + Wire.type + "\":\"").utf8)
}
