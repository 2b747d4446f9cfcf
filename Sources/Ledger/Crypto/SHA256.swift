/// SHA-256 (FIPS 180-4), written by hand because the project may use no package.
///
/// This is the one place the hash is implemented. It is on the replay path (every journal
/// line is hashed), so the compression function works on raw pointers and keeps the
/// message schedule in a fixed 64-word buffer.
public struct SHA256: Sendable {
    public static let digestSize = 32

    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
        0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    public init() { pending.reserveCapacity(64) }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress else { return }
        var n = bytes.count
        length &+= UInt64(n)
        if !pending.isEmpty {
            let take = min(64 - pending.count, n)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: p, count: take))
            p += take
            n -= take
            if pending.count == 64 {
                pending.withUnsafeBytes { SHA256.compress(&state, $0.baseAddress!, 1) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        let blocks = n / 64
        if blocks > 0 {
            SHA256.compress(&state, p, blocks)
            p += blocks * 64
            n -= blocks * 64
        }
        if n > 0 { pending.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n)) }
    }

    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        var array = Array(bytes)
        array.withUnsafeBytes { update($0) }
        array.removeAll()
    }

    public mutating func finalize() -> Digest {
        var tail = pending
        let bitLength = length &* 8
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { SHA256.compress(&state, $0.baseAddress!, tail.count / 64) }
        pending.removeAll()
        return Digest(state)
    }

    /// One-shot hash of a byte buffer. The replay path hashes every journal line with it, so
    /// it allocates nothing: whole blocks are compressed in place, the padded tail on the stack.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Digest {
        var state = SHA256().state
        let full = bytes.count / 64
        if full > 0 { compress(&state, bytes.baseAddress!, full) }
        let rest = bytes.count - full * 64
        let tailBlocks = rest + 9 <= 64 ? 1 : 2
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
            let t = UnsafeMutableRawPointer(tail.baseAddress!)
            t.initializeMemory(as: UInt8.self, repeating: 0, count: 128)
            if rest > 0 { t.copyMemory(from: bytes.baseAddress! + full * 64, byteCount: rest) }
            t.storeBytes(of: 0x80, toByteOffset: rest, as: UInt8.self)
            t.storeBytes(of: (UInt64(bytes.count) &* 8).bigEndian, toByteOffset: tailBlocks * 64 - 8, as: UInt64.self)
            compress(&state, UnsafeRawPointer(t), tailBlocks)
        }
        return Digest(state)
    }

    public static func hash<S: Sequence>(_ bytes: S) -> Digest where S.Element == UInt8 {
        var h = SHA256()
        h.update(bytes)
        return h.finalize()
    }

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// One round: `d` and `h` take the values the reference's shuffle would give `e` and `a`.
    @inline(__always) private static func round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                                                _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32) {
        let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ (g ^ (e & (f ^ g))) &+ kw
        let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (c & (a ^ b)))
        d = d &+ t1
        h = t1 &+ t2
    }

    private static func compress(
        _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
        _ data: UnsafeRawPointer, _ blocks: Int
    ) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            roundConstants.withUnsafeBufferPointer { k in
                var (h0, h1, h2, h3, h4, h5, h6, h7) = state
                for block in 0..<blocks {
                    let base = data + block * 64
                    for i in 0..<16 {
                        w[i] = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
                    }
                    for i in 16..<64 {
                        let x = w[i - 15], y = w[i - 2]
                        let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
                        let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
                        w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                    }
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                    // Eight rounds a step, the variables' roles rotating instead of the values
                    // moving (what the reference's shuffle `h = g; g = f; …` does).
                    var i = 0
                    while i < 64 {
                        round(a, b, c, &d, e, f, g, &h, k[i] &+ w[i])
                        round(h, a, b, &c, d, e, f, &g, k[i + 1] &+ w[i + 1])
                        round(g, h, a, &b, c, d, e, &f, k[i + 2] &+ w[i + 2])
                        round(f, g, h, &a, b, c, d, &e, k[i + 3] &+ w[i + 3])
                        round(e, f, g, &h, a, b, c, &d, k[i + 4] &+ w[i + 4])
                        round(d, e, f, &g, h, a, b, &c, k[i + 5] &+ w[i + 5])
                        round(c, d, e, &f, g, h, a, &b, k[i + 6] &+ w[i + 6])
                        round(b, c, d, &e, f, g, h, &a, k[i + 7] &+ w[i + 7])
                        i += 8
                    }
                    h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                    h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                }
                state = (h0, h1, h2, h3, h4, h5, h6, h7)
            }
        }
    }

    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// A 32-byte digest; prints as 64 lower-case hex digits.
    public struct Digest: Hashable, Sendable, CustomStringConvertible {
        public let words: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)

        init(_ w: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)) { words = w }

        public static let zero = Digest((0, 0, 0, 0, 0, 0, 0, 0))

        var wordArray: [UInt32] { [words.0, words.1, words.2, words.3, words.4, words.5, words.6, words.7] }

        public var bytes: [UInt8] {
            wordArray.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> UInt32(24 - 8 * $0)) } }
        }

        /// Lower-case hex, as written in the journal's `prev` field.
        public var hex: String {
            var out = [UInt8]()
            out.reserveCapacity(64)
            for w in wordArray {
                for shift in stride(from: 28, through: 0, by: -4) {
                    out.append(hexDigits[Int((w >> UInt32(shift)) & 0xf)])
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        public var description: String { hex }

        /// Parses 64 hex digits (either case); nil otherwise.
        public init?(hex: some StringProtocol) {
            let u = Array(hex.utf8)
            guard let d = Digest(hexBytes: u[...]) else { return nil }
            self = d
        }

        /// The digest whose 32 bytes these are.
        public init?(bytes b: [UInt8]) {
            guard b.count == 32 else { return nil }
            func word(_ i: Int) -> UInt32 { (0..<4).reduce(0) { $0 << 8 | UInt32(b[i * 4 + $1]) } }
            words = (word(0), word(1), word(2), word(3), word(4), word(5), word(6), word(7))
        }

        init?(hexBytes u: ArraySlice<UInt8>) {
            guard u.count == 64 else { return nil }
            var w: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
            let ok = withUnsafeMutableBytes(of: &w) { raw -> Bool in
                let words = raw.bindMemory(to: UInt32.self)
                var i = u.startIndex
                for j in 0..<8 {
                    var v: UInt32 = 0
                    for _ in 0..<8 {
                        guard let n = hexValue(u[i]) else { return false }
                        v = v << 4 | UInt32(n)
                        i += 1
                    }
                    words[j] = v
                }
                return true
            }
            guard ok else { return nil }
            words = w
        }

        public static func == (l: Digest, r: Digest) -> Bool { l.wordArray == r.wordArray }
        public func hash(into hasher: inout Hasher) { hasher.combine(words.0); hasher.combine(words.1) }
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

/// Bytes as lower-case hex and back, for keys and signatures (digests have their own form).
public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(hexDigits[Int(b >> 4)]); out.append(hexDigits[Int(b & 0xf)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// nil unless the text is an even number of hex digits.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let h = hexValue(u[i]), let l = hexValue(u[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }
}

@inline(__always) func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x61...0x66: return c - 0x61 + 10
    case 0x41...0x46: return c - 0x41 + 10
    default: return nil
    }
}
