/// Ed25519 signatures (RFC 8032 §5.1), written by hand because the project may use no package.
/// This is the one place they are implemented; `Ed25519Tests` check it against every test
/// vector of RFC 8032 §7.1 and against malformed input.
///
/// Verification is strict: the public key and `R` must be canonical encodings, `S` must be
/// below the group order `L` (no malleable signatures), and a public key of small order (which
/// would let one signature verify for many messages) is refused. The equation checked is the
/// cofactorless `[S]B = R + [k]A`.
///
/// Scalar multiplication runs the same operations whatever the scalar's bits (a masked select,
/// no branch on secret bits), so signing does not leak the key through its timing in any
/// obvious way; this is not a hardened implementation against a local attacker measuring
/// caches, which the tool's threat model (README, "Who may do what") does not include.
public enum Ed25519 {
    public static let publicKeySize = 32, seedSize = 32, signatureSize = 64

    /// The public key of a 32-byte private seed.
    public static func publicKey(seed: [UInt8]) -> [UInt8] {
        precondition(seed.count == seedSize, "an Ed25519 seed is 32 bytes")
        let h = SHA512.hash(seed)
        return Point.base.multiplied(by: clamp(Array(h[0..<32]))).encoded
    }

    /// The signature of `message` by the key of `seed`.
    public static func sign(_ message: [UInt8], seed: [UInt8]) -> [UInt8] {
        precondition(seed.count == seedSize, "an Ed25519 seed is 32 bytes")
        let h = SHA512.hash(seed)
        let a = clamp(Array(h[0..<32]))
        let pub = Point.base.multiplied(by: a).encoded
        let r = Scalar.reduce(SHA512.hash(Array(h[32..<64]) + message))
        let rEnc = Point.base.multiplied(by: r).encoded
        let k = Scalar.reduce(SHA512.hash(rEnc + pub + message))
        return rEnc + Scalar.mulAdd(k, a, r)
    }

    /// True when `signature` is a valid, canonical signature of `message` by `publicKey`.
    public static func verify(_ signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == signatureSize, publicKey.count == publicKeySize,
              let a = Point(decoding: publicKey), !a.hasSmallOrder else { return false }
        let rEnc = Array(signature[0..<32]), s = Array(signature[32..<64])
        guard Scalar.isCanonical(s) else { return false }
        let k = Scalar.reduce(SHA512.hash(rEnc + publicKey + message))
        let check = Point.base.multiplied(by: s).adding(a.negated.multiplied(by: k))
        return check.encoded == rEnc
    }

    /// Why a public key is unusable, or nil when it is a canonical point of large order.
    public static func publicKeyProblem(_ key: [UInt8]) -> String? {
        guard key.count == publicKeySize else { return "an Ed25519 public key is 32 bytes (64 hex digits), not \(key.count)" }
        guard let p = Point(decoding: key) else { return "not the canonical encoding of a curve point" }
        if p.hasSmallOrder { return "a point of small order, which any signature could be made to match" }
        return nil
    }

    private static func clamp(_ b: [UInt8]) -> [UInt8] {
        var a = b
        a[0] &= 248; a[31] &= 127; a[31] |= 64
        return a
    }
}

// MARK: - The field GF(2^255 - 19), five 51-bit limbs

struct FieldElement: Equatable {
    var l0, l1, l2, l3, l4: UInt64
    static let mask: UInt64 = (1 << 51) - 1

    static let zero = FieldElement(l0: 0, l1: 0, l2: 0, l3: 0, l4: 0)
    static let one = FieldElement(l0: 1, l1: 0, l2: 0, l3: 0, l4: 0)

    init(l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64, l4: UInt64) { self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3; self.l4 = l4 }

    init(_ small: UInt64) { self.init(l0: small, l1: 0, l2: 0, l3: 0, l4: 0) }

    /// The low 255 bits of 32 little-endian bytes (the top bit is the caller's).
    init(bytes b: [UInt8]) {
        func word(_ i: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[i * 8 + $1]) << UInt64(8 * $1) } }
        let w0 = word(0), w1 = word(1), w2 = word(2), w3 = word(3)
        let m = FieldElement.mask
        self.init(l0: w0 & m, l1: (w0 >> 51 | w1 << 13) & m, l2: (w1 >> 38 | w2 << 26) & m,
                  l3: (w2 >> 25 | w3 << 39) & m, l4: (w3 >> 12) & m)
    }

    /// The canonical 32 little-endian bytes (fully reduced below p).
    var bytes: [UInt8] {
        var t = carried.carried
        // t < 2p now; subtract p once if t >= p: q = 1 exactly then.
        var q = (t.l0 &+ 19) >> 51
        q = (t.l1 &+ q) >> 51; q = (t.l2 &+ q) >> 51; q = (t.l3 &+ q) >> 51; q = (t.l4 &+ q) >> 51
        t.l0 &+= 19 &* q
        t.l1 &+= t.l0 >> 51; t.l0 &= FieldElement.mask
        t.l2 &+= t.l1 >> 51; t.l1 &= FieldElement.mask
        t.l3 &+= t.l2 >> 51; t.l2 &= FieldElement.mask
        t.l4 &+= t.l3 >> 51; t.l3 &= FieldElement.mask
        t.l4 &= FieldElement.mask
        let w = [t.l0 | t.l1 << 51, t.l1 >> 13 | t.l2 << 38, t.l2 >> 26 | t.l3 << 25, t.l3 >> 39 | t.l4 << 12]
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { out[i] = UInt8(truncatingIfNeeded: w[i / 8] >> UInt64(8 * (i % 8))) }
        return out
    }

    var isZero: Bool { bytes.allSatisfy { $0 == 0 } }
    var isNegative: Bool { bytes[0] & 1 == 1 }

    /// Limbs brought back under 2^51 (plus a little in the lowest), value unchanged mod p.
    var carried: FieldElement {
        var t = self
        t.l1 &+= t.l0 >> 51; t.l0 &= FieldElement.mask
        t.l2 &+= t.l1 >> 51; t.l1 &= FieldElement.mask
        t.l3 &+= t.l2 >> 51; t.l2 &= FieldElement.mask
        t.l4 &+= t.l3 >> 51; t.l3 &= FieldElement.mask
        t.l0 &+= 19 &* (t.l4 >> 51); t.l4 &= FieldElement.mask
        return t
    }

    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        FieldElement(l0: a.l0 &+ b.l0, l1: a.l1 &+ b.l1, l2: a.l2 &+ b.l2, l3: a.l3 &+ b.l3, l4: a.l4 &+ b.l4).carried
    }

    /// a - b, computed as a + 4p - b so no limb goes below zero (b's limbs are under 2^53).
    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        let p4lo: UInt64 = (1 << 53) - 76, p4: UInt64 = (1 << 53) - 4
        return FieldElement(l0: a.l0 &+ p4lo &- b.l0, l1: a.l1 &+ p4 &- b.l1, l2: a.l2 &+ p4 &- b.l2,
                            l3: a.l3 &+ p4 &- b.l3, l4: a.l4 &+ p4 &- b.l4).carried
    }

    static prefix func - (a: FieldElement) -> FieldElement { .zero - a }

    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        @inline(__always) func m(_ x: UInt64, _ y: UInt64) -> UInt128 { UInt128(x) * UInt128(y) }
        let b1 = b.l1 &* 19, b2 = b.l2 &* 19, b3 = b.l3 &* 19, b4 = b.l4 &* 19
        let r0 = m(a.l0, b.l0) + m(a.l1, b4) + m(a.l2, b3) + m(a.l3, b2) + m(a.l4, b1)
        var r1 = m(a.l0, b.l1) + m(a.l1, b.l0) + m(a.l2, b4) + m(a.l3, b3) + m(a.l4, b2)
        var r2 = m(a.l0, b.l2) + m(a.l1, b.l1) + m(a.l2, b.l0) + m(a.l3, b4) + m(a.l4, b3)
        var r3 = m(a.l0, b.l3) + m(a.l1, b.l2) + m(a.l2, b.l1) + m(a.l3, b.l0) + m(a.l4, b4)
        var r4 = m(a.l0, b.l4) + m(a.l1, b.l3) + m(a.l2, b.l2) + m(a.l3, b.l1) + m(a.l4, b.l0)
        let mask = UInt128(FieldElement.mask)
        r1 += r0 >> 51; r2 += r1 >> 51; r3 += r2 >> 51; r4 += r3 >> 51
        let c = UInt64(truncatingIfNeeded: r4 >> 51)
        return FieldElement(l0: UInt64(truncatingIfNeeded: r0 & mask) &+ c &* 19, l1: UInt64(truncatingIfNeeded: r1 & mask),
                            l2: UInt64(truncatingIfNeeded: r2 & mask), l3: UInt64(truncatingIfNeeded: r3 & mask),
                            l4: UInt64(truncatingIfNeeded: r4 & mask)).carried
    }

    var squared: FieldElement { self * self }

    /// self^e, e given as 32 little-endian bytes (public exponents only).
    func power(_ e: [UInt8]) -> FieldElement {
        var r = FieldElement.one
        for i in stride(from: 255, through: 0, by: -1) {
            r = r.squared
            if (e[i / 8] >> UInt8(i % 8)) & 1 == 1 { r = r * self }
        }
        return r
    }

    /// Little-endian bytes of p - 2, (p - 5) / 8 and (p - 1) / 4.
    private static func exponent(low: UInt8, top: UInt8) -> [UInt8] { [low] + [UInt8](repeating: 0xff, count: 30) + [top] }
    var inverse: FieldElement { power(FieldElement.exponent(low: 0xeb, top: 0x7f)) }
    var toPMinus5Over8: FieldElement { power(FieldElement.exponent(low: 0xfd, top: 0x0f)) }
    static let sqrtMinusOne = FieldElement(2).power(exponent(low: 0xfb, top: 0x1f))
    /// d = -121665 / 121666.
    static let d = -(FieldElement(121_665) * FieldElement(121_666).inverse)
    static let d2 = d + d

    /// a if `bit` is 1, b if it is 0, without branching on it.
    static func select(_ bit: UInt64, _ a: FieldElement, _ b: FieldElement) -> FieldElement {
        let m = 0 &- bit
        return FieldElement(l0: (a.l0 & m) | (b.l0 & ~m), l1: (a.l1 & m) | (b.l1 & ~m), l2: (a.l2 & m) | (b.l2 & ~m),
                            l3: (a.l3 & m) | (b.l3 & ~m), l4: (a.l4 & m) | (b.l4 & ~m))
    }
}

// MARK: - Points of edwards25519, extended coordinates

struct Point {
    var x, y, z, t: FieldElement

    static let identity = Point(x: .zero, y: .one, z: .one, t: .zero)
    /// The base point B: y = 4/5, x even, as RFC 8032 encodes it.
    static let base = Point(decoding: [0x58] + [UInt8](repeating: 0x66, count: 31))!

    init(x: FieldElement, y: FieldElement, z: FieldElement, t: FieldElement) { self.x = x; self.y = y; self.z = z; self.t = t }

    /// RFC 8032 §5.1.3; nil for a non-canonical y, or an encoding of no curve point.
    init?(decoding b: [UInt8]) {
        guard b.count == 32 else { return nil }
        let sign = b[31] >> 7
        var yBytes = b
        yBytes[31] &= 0x7f
        let y = FieldElement(bytes: yBytes)
        guard y.bytes == yBytes else { return nil }   // y >= p
        let y2 = y.squared
        let u = y2 - .one, v = FieldElement.d * y2 + .one
        let v3 = v.squared * v
        var x = u * v3 * (u * v3.squared * v).toPMinus5Over8
        let vx2 = v * x.squared
        if vx2.bytes == u.bytes {
        } else if vx2.bytes == (-u).bytes {
            x = x * FieldElement.sqrtMinusOne
        } else {
            return nil
        }
        if x.isZero && sign == 1 { return nil }
        if (x.isNegative ? 1 : 0) != sign { x = -x }
        self.init(x: x, y: y, z: .one, t: x * y)
    }

    var encoded: [UInt8] {
        let zi = z.inverse
        var out = (y * zi).bytes
        if (x * zi).isNegative { out[31] |= 0x80 }
        return out
    }

    var negated: Point { Point(x: -x, y: y, z: z, t: -t) }

    /// The unified addition of RFC 8032 §5.1.4 (complete: it also doubles).
    func adding(_ q: Point) -> Point {
        let a = (y - x) * (q.y - q.x)
        let b = (y + x) * (q.y + q.x)
        let c = t * FieldElement.d2 * q.t
        let zz = z * q.z
        let d = zz + zz
        let e = b - a, f = d - c, g = d + c, h = b + a
        return Point(x: e * f, y: g * h, z: f * g, t: e * h)
    }

    /// [s]P for a 32-byte little-endian scalar, the same steps whatever its bits.
    func multiplied(by s: [UInt8]) -> Point {
        var q = Point.identity
        for i in stride(from: 255, through: 0, by: -1) {
            q = q.adding(q)
            let sum = q.adding(self)
            let bit = UInt64((s[i / 8] >> UInt8(i % 8)) & 1)
            q = Point(x: .select(bit, sum.x, q.x), y: .select(bit, sum.y, q.y), z: .select(bit, sum.z, q.z), t: .select(bit, sum.t, q.t))
        }
        return q
    }

    /// [8]P is the identity.
    var hasSmallOrder: Bool {
        var q = self
        for _ in 0..<3 { q = q.adding(q) }
        return q.x.isZero && (q.y - q.z).isZero
    }
}

// MARK: - Scalars modulo L = 2^252 + 27742317777372353535851937790883648493

enum Scalar {
    /// L, little-endian.
    static let order: [Int64] = [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10]

    /// s < L (read as a 256-bit little-endian number).
    static func isCanonical(_ s: [UInt8]) -> Bool {
        for i in stride(from: 31, through: 0, by: -1) {
            if Int64(s[i]) < order[i] { return true }
            if Int64(s[i]) > order[i] { return false }
        }
        return false   // s == L
    }

    /// A 64-byte little-endian number modulo L, as 32 bytes.
    static func reduce(_ b: [UInt8]) -> [UInt8] {
        var x = b.map { Int64($0) }
        return modL(&x)
    }

    /// (k * a + r) mod L, each operand 32 little-endian bytes.
    static func mulAdd(_ k: [UInt8], _ a: [UInt8], _ r: [UInt8]) -> [UInt8] {
        var x = [Int64](repeating: 0, count: 64)
        for i in 0..<32 { x[i] = Int64(r[i]) }
        for i in 0..<32 { for j in 0..<32 { x[i + j] += Int64(k[i]) * Int64(a[j]) } }
        return modL(&x)
    }

    /// Reduces 64 signed base-256 digits modulo L (the digit-folding reduction of TweetNaCl).
    private static func modL(_ x: inout [Int64]) -> [UInt8] {
        for i in stride(from: 63, through: 32, by: -1) {
            var carry: Int64 = 0
            var j = i - 32
            while j < i - 12 {
                x[j] += carry - 16 * x[i] * order[j - (i - 32)]
                carry = (x[j] + 128) >> 8
                x[j] -= carry << 8
                j += 1
            }
            x[j] += carry
            x[i] = 0
        }
        var carry: Int64 = 0
        for j in 0..<32 {
            x[j] += carry - (x[31] >> 4) * order[j]
            carry = x[j] >> 8
            x[j] &= 255
        }
        for j in 0..<32 { x[j] -= carry * order[j] }
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 {
            x[i + 1] += x[i] >> 8
            out[i] = UInt8(x[i] & 255)
        }
        return out
    }
}
