import Foundation

/// A journal's tree head at one size: the Merkle root of its first `size` lines and the chain's
/// head there (the SHA-256 of line `size`, which the next line's `prev` repeats).
public struct TreeHeadAt: Hashable, Sendable {
    public var size: Int
    public var root: SHA256.Digest
    public var chainHead: SHA256.Digest

    public init(size: Int, root: SHA256.Digest, chainHead: SHA256.Digest) {
        self.size = size; self.root = root; self.chainHead = chainHead
    }
}

extension SHA256.Digest {
    /// The 32 bytes in base64, as checkpoints write a root.
    public var base64: String { Data(bytes).base64EncodedString() }
}

/// What a journal's trust rests on, kept outside it (`TrustPin`, `fledger trust export`): the
/// unit, the SHA-256 of its first line (which, with the chain, names the journal), the event
/// where signing began, the admin declared there (name and Ed25519 public key) and the admin
/// threshold. For an honest journal none of these ever changes: a history re-keyed by someone
/// without the keys has another admin key at the start, a journal cut back to before signing
/// has no signing start, and either shows against a root recorded earlier.
public struct TrustRoot: Hashable, Sendable {
    public var unit: String
    public var firstLine: SHA256.Digest
    /// nil: the journal has never signed.
    public var signingFrom: Int?
    public var admin: RootKey?
    public var threshold: Int

    public struct RootKey: Hashable, Sendable {
        public var name: String
        public var publicKey: [UInt8]
    }

    public init(unit: String, firstLine: SHA256.Digest, signingFrom: Int?, admin: RootKey?, threshold: Int) {
        self.unit = unit; self.firstLine = firstLine; self.signingFrom = signingFrom; self.admin = admin; self.threshold = threshold
    }

    /// The lines a pin or an export file holds for the root.
    var lines: [String] {
        var out = ["unit \(unit)", "first-line \(firstLine.hex)"]
        if let s = signingFrom { out.append("signing-from \(s)") }
        if let a = admin { out.append("admin \(Hex.encode(a.publicKey)) \(a.name)") }
        out.append("threshold \(threshold)")
        return out
    }

    /// Parses the fields `lines` writes (from a dictionary of the first word to the rest).
    static func parse(_ f: [String: String]) -> TrustRoot? {
        guard let unit = f["unit"], let first = f["first-line"].flatMap(SHA256.Digest.init(hex:)),
              let k = f["threshold"].flatMap(Int.init), k >= 1 else { return nil }
        var admin: RootKey?
        if let a = f["admin"] {
            guard let sp = a.firstIndex(of: " "), let key = Hex.decode(a[..<sp]), key.count == 32 else { return nil }
            admin = RootKey(name: String(a[a.index(after: sp)...]), publicKey: key)
        }
        let from = f["signing-from"].flatMap(Int.init)
        guard (from == nil) == (admin == nil) else { return nil }
        return TrustRoot(unit: unit, firstLine: first, signingFrom: from, admin: admin, threshold: k)
    }

    /// What differs from `pinned`, in words; nil when nothing does.
    public func differences(from pinned: TrustRoot) -> String? {
        var out: [String] = []
        if unit != pinned.unit { out.append("unit \(unit), pinned \(pinned.unit)") }
        if firstLine != pinned.firstLine { out.append("first line's SHA-256 \(firstLine.hex), pinned \(pinned.firstLine.hex)") }
        switch (signingFrom, pinned.signingFrom) {
        case (nil, let p?): out.append("the journal is unsigned, but it signed from event \(p) when pinned (a journal cut back to before signing began, or rewritten without it)")
        case (let s?, let p?) where s != p: out.append("signing began at event \(s), pinned at event \(p)")
        case (_?, nil): out.append("the journal signs from event \(signingFrom!), but was unsigned when pinned")
        default: break
        }
        if let a = admin, let p = pinned.admin, a != p {
            out.append("the admin declared where signing began is \(a.name) with key \(Hex.encode(a.publicKey)), pinned \(p.name) with key \(Hex.encode(p.publicKey)) (a history re-keyed from the start)")
        }
        if threshold != pinned.threshold { out.append("admin threshold \(threshold), pinned \(pinned.threshold)") }
        return out.isEmpty ? nil : out.joined(separator: "; ")
    }
}

extension JournalStore {
    /// Line number `n` (1-based) of the journal, found from the tree's block offsets: reads at
    /// most one block of lines.
    func line(number n: Int, file: JournalFile, frontier f: MerkleFrontier, size: Int) throws(JournalError) -> [UInt8] {
        let b = (n - 1) >> f.blockLevel
        guard n >= 1, n <= f.size, b < f.blockStarts.count else { throw .damaged(path: path, line: n, reason: "the journal has no line \(n)") }
        var offset = f.blockStarts[b]
        for _ in 0..<((n - 1) - (b << f.blockLevel)) {
            let l = try file.readLine(at: offset)
            offset += l.count + 1
        }
        return try file.readLine(at: offset)
    }

    /// The journal's trust root, from its first line, the state's signing start and admin
    /// threshold, and the actor event at the signing start (read through the tree's offsets).
    func trustRoot(file: JournalFile, state: LedgerState, frontier: MerkleFrontier, size: Int) throws(JournalError) -> TrustRoot {
        let first = try file.readLine(at: 0)
        var admin: TrustRoot.RootKey?
        if let from = state.access.signingFrom {
            let bytes = try line(number: from, file: file, frontier: frontier, size: size)
            guard let e = bytes.withUnsafeBytes({ try? EventCodec.decode($0).event }), case .access(.actor(let c)) = e.body, c.action == .add else {
                throw .damaged(path: path, line: from, reason: "signing began here, but the line is not an admin's actor event")
            }
            admin = TrustRoot.RootKey(name: c.name, publicKey: c.publicKey)
        }
        return TrustRoot(unit: state.unit?.unitCode ?? "", firstLine: SHA256.hash(first), signingFrom: state.access.signingFrom,
                         admin: admin, threshold: state.access.threshold)
    }
}
