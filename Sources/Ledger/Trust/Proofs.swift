import Foundation

/// That one event is in the books a checkpoint names, checkable without the journal: the event's
/// line as the journal holds it, its leaf index and the RFC 9162 audit path to the checkpoint's
/// root. Text:
///
///     fledger inclusion proof v1
///     origin fledger/505001/0123456789abcdef
///     size 1234
///     root BASE64
///     index 16                 (0-based: the line's number − 1)
///     line {"seq":17,…}        (the journal's line, verbatim)
///     path BASE64              (one per hash of the audit path, leaf to root)
public struct InclusionProof: Hashable, Sendable {
    public var origin: String
    public var size: Int
    public var root: SHA256.Digest
    public var index: Int
    public var line: [UInt8]
    public var path: [SHA256.Digest]

    static let header = "fledger inclusion proof v1"

    public var text: String {
        ([Self.header, "origin \(origin)", "size \(size)", "root \(b64(root))", "index \(index)", "line \(String(decoding: line, as: UTF8.self))"]
         + path.map { "path \(b64($0))" }).joined(separator: "\n") + "\n"
    }

    public static func parse(_ s: String, file: String = "") throws(TrustFileError) -> InclusionProof {
        let lines = try proofLines(s, header: header, file: file)
        let f = try ProofFields(lines, file: file)
        return InclusionProof(origin: try f.one("origin"), size: try f.int("size", min: 1), root: try f.digest("root"),
                              index: try f.int("index", min: 0), line: Array(try f.one("line").utf8), path: try f.digests("path"))
    }

    /// The event the line records (its id and sequence number), if the line decodes.
    public var event: Event? { line.withUnsafeBytes { try? EventCodec.decode($0).event } }

    /// Checks the proof alone (the audit path leads from the line's leaf to the root it names),
    /// then against the checkpoint the reader trusts: same origin, size and root. Throws the reason it fails.
    public func check(against cp: SignedCheckpoint, file: String = "") throws(TrustFileError) {
        guard index < size else { throw TrustFileError(file, "index \(index) is not below the tree size \(size)") }
        if let e = event, e.seq != index + 1 {
            throw TrustFileError(file, "the line holds event number \(e.seq), but the proof places it at line \(index + 1)")
        }
        guard MerkleProof.verifyInclusion(leaf: Merkle.leaf(line), index: index, size: size, path: path, root: root) else {
            throw TrustFileError(file, "the audit path does not lead from this line (leaf \(index)) to root \(b64(root)) of \(size) lines: the line or a hash of the path was changed")
        }
        try matches(cp, origin: origin, size: size, root: root, file: file)
    }
}

/// That the books a checkpoint of `first` lines names are the beginning of those of `second`
/// lines (RFC 9162 §2.1.4), checkable without the journal. Text as the inclusion proof's, with
/// `first`, `first-root`, `second`, `second-root` and the `path` lines.
public struct ConsistencyProof: Hashable, Sendable {
    public var origin: String
    public var first: Int
    public var firstRoot: SHA256.Digest
    public var second: Int
    public var secondRoot: SHA256.Digest
    public var path: [SHA256.Digest]

    static let header = "fledger consistency proof v1"

    public var text: String {
        ([Self.header, "origin \(origin)", "first \(first)", "first-root \(b64(firstRoot))", "second \(second)", "second-root \(b64(secondRoot))"]
         + path.map { "path \(b64($0))" }).joined(separator: "\n") + "\n"
    }

    public static func parse(_ s: String, file: String = "") throws(TrustFileError) -> ConsistencyProof {
        let lines = try proofLines(s, header: header, file: file)
        let f = try ProofFields(lines, file: file)
        return ConsistencyProof(origin: try f.one("origin"), first: try f.int("first", min: 1), firstRoot: try f.digest("first-root"),
                                second: try f.int("second", min: 1), secondRoot: try f.digest("second-root"), path: try f.digests("path"))
    }

    /// Checks the proof's hashes, then each checkpoint given against the end it names (by size).
    public func check(against cps: [SignedCheckpoint], file: String = "") throws(TrustFileError) {
        guard MerkleProof.verifyConsistency(first: first, second: second, firstRoot: firstRoot, secondRoot: secondRoot, path: path) else {
            throw TrustFileError(file, "the consistency path does not show the tree of \(first) lines (root \(b64(firstRoot))) to be the beginning of the tree of \(second) lines (root \(b64(secondRoot))): a hash was changed, or the books were rewritten between them")
        }
        guard !cps.isEmpty else { throw TrustFileError(file, "give the checkpoint the proof starts from (--checkpoint F)") }
        for cp in cps {
            if cp.head.size == first { try matches(cp, origin: origin, size: first, root: firstRoot, file: file) }
            else if cp.head.size == second { try matches(cp, origin: origin, size: second, root: secondRoot, file: file) }
            else { throw TrustFileError(file, "the checkpoint of \(cp.head.size) lines is neither end of this proof (\(first) → \(second) lines)") }
        }
    }
}

private func b64(_ d: SHA256.Digest) -> String { Data(d.bytes).base64EncodedString() }

private func matches(_ cp: SignedCheckpoint, origin: String, size: Int, root: SHA256.Digest, file: String) throws(TrustFileError) {
    guard cp.origin == origin else {
        throw TrustFileError(file, "the proof is about '\(origin)', the checkpoint about '\(cp.origin)': another unit's or another journal's books")
    }
    guard cp.head.size == size else { throw TrustFileError(file, "the proof is for a tree of \(size) lines, the checkpoint names \(cp.head.size)") }
    guard cp.head.root == root else {
        throw TrustFileError(file, "the proof's root \(b64(root)) is not the checkpoint's \(b64(cp.head.root)) for \(size) lines: they describe different books")
    }
}

private func proofLines(_ s: String, header: String, file: String) throws(TrustFileError) -> [String] {
    guard s.utf8.count <= 1 << 20 else { throw TrustFileError(file, "a proof is at most 1 MB") }
    var lines = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    guard lines.first == header else { throw TrustFileError(file, "line 1 must read '\(header)', found '\(lines.first ?? "")'") }
    return Array(lines.dropFirst())
}

private struct ProofFields {
    var fields: [(String, String, Int)] = []
    let file: String

    init(_ lines: [String], file: String) throws(TrustFileError) {
        self.file = file
        for (n, l) in lines.enumerated() {
            guard let sp = l.firstIndex(of: " ") else { throw TrustFileError(file, "line \(n + 2): expected 'FIELD VALUE', found '\(l)'") }
            fields.append((String(l[..<sp]), String(l[l.index(after: sp)...]), n + 2))
        }
    }

    func one(_ name: String) throws(TrustFileError) -> String {
        let f = fields.filter { $0.0 == name }
        guard f.count == 1 else { throw TrustFileError(file, "field '\(name)' must appear once, found \(f.count) time(s)") }
        return f[0].1
    }

    func int(_ name: String, min: Int) throws(TrustFileError) -> Int {
        let v = try one(name)
        guard let n = Int(v), n >= min, String(n) == v else { throw TrustFileError(file, "field '\(name)' must be a number ≥ \(min), found '\(v)'") }
        return n
    }

    func digest(_ name: String) throws(TrustFileError) -> SHA256.Digest {
        let v = try one(name)
        return try Self.decode(v, name, file)
    }

    func digests(_ name: String) throws(TrustFileError) -> [SHA256.Digest] {
        var out: [SHA256.Digest] = []
        for f in fields where f.0 == name { out.append(try Self.decode(f.1, "\(name) (line \(f.2))", file)) }
        return out
    }

    static func decode(_ v: String, _ what: String, _ file: String) throws(TrustFileError) -> SHA256.Digest {
        guard let raw = Data(base64Encoded: v), raw.count == 32, let d = SHA256.Digest(bytes: [UInt8](raw)) else {
            throw TrustFileError(file, "field '\(what)' must be the base64 of a 32-byte hash, found '\(v)'")
        }
        return d
    }
}

/// What `fledger trust export` writes for someone who receives it by another channel: the trust
/// root, the verifier keys of the journal's active admins (C2SP `vkey` form) and a signed
/// checkpoint.
///
///     fledger trust export v1
///     unit … / first-line … / signing-from … / admin … / threshold …   (as in a pin)
///     vkey NAME+KEYID+BASE64
///     checkpoint
///     <the signed checkpoint, to the end of the file>
public struct TrustExport: Hashable, Sendable {
    public var root: TrustRoot
    public var keys: [NoteKey]
    public var checkpoint: SignedCheckpoint

    static let header = "fledger trust export v1"

    public var text: String {
        ([Self.header] + root.lines + keys.map { "vkey \($0.verifierKey)" } + ["checkpoint"]).joined(separator: "\n") + "\n" + checkpoint.serialized
    }

    public static func parse(_ s: String, file: String = "") throws(TrustFileError) -> TrustExport {
        guard s.hasPrefix(header + "\n"), let cut = s.range(of: "\ncheckpoint\n") else {
            throw TrustFileError(file, "not a trust export: line 1 must read '\(header)' and a line 'checkpoint' must precede the checkpoint")
        }
        let lines = s[..<cut.lowerBound].split(separator: "\n").dropFirst().map(String.init)
        guard let root = TrustRoot.parse(TrustPin.fields(lines)) else { throw TrustFileError(file, "the trust root's lines (unit, first-line, signing-from, admin, threshold) are incomplete or malformed") }
        var keys: [NoteKey] = []
        for l in lines where l.hasPrefix("vkey ") {
            guard let k = NoteKey.parse(verifierKey: String(l.dropFirst(5))) else { throw TrustFileError(file, "'\(l)' is not a verifier key NAME+KEYID+BASE64") }
            keys.append(k)
        }
        return TrustExport(root: root, keys: keys, checkpoint: try SignedCheckpoint.parse(String(s[cut.upperBound...]), file: file))
    }

    /// The keys a reader of this export trusts: the listed ones and the root admin's.
    public var trustedKeys: [NoteKey] {
        keys + (root.admin.map { [NoteKey(name: NoteKey.name(of: $0.name), publicKey: $0.publicKey)] } ?? [])
    }
}
