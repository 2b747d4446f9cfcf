/// The journal's side of trust: verify against pins, checkpoints and trust exports; make and
/// sign checkpoints; prove inclusion and consistency from the journal.
extension JournalStore {
    /// A checkpoint or export file and its name (for messages).
    public typealias Named<T> = (value: T, file: String)

    /// The origin of this journal's checkpoints.
    func origin(_ root: TrustRoot) -> String { SignedCheckpoint.origin(unit: root.unit, firstLine: root.firstLine) }

    /// The unit code and first line's hash, read from line 1 (to find the pin before a read).
    func journalIdentity() throws(JournalError) -> (unit: String, firstLine: SHA256.Digest) {
        let file = try JournalFile(path: path, access: .read)
        let first = try file.readLine(at: 0)
        guard let e = first.withUnsafeBytes({ try? EventCodec.decode($0).event }), case .unit(let u) = e.body else {
            throw .damaged(path: path, line: 1, reason: "the first event must be the unit (type \"unit\"), written by `fledger init`")
        }
        return (u.unitCode, SHA256.hash(first))
    }

    /// `verify`, and beside the chain and the rules: the journal against this user's pin (its
    /// trust root, and that it extends the pinned tree head), against every checkpoint given (it
    /// extends each: its first N lines give that root and that chain head; a signature by a key
    /// the journal or the export names must verify) and against a trust export (the same root,
    /// and a checkpoint signed by a key it trusts). Any difference is damage naming the file. The
    /// pin is recorded or advanced to the journal's tree head after a signed journal passes.
    public func verify(checkpoints: [Named<SignedCheckpoint>], trust: Named<TrustExport>? = nil) throws -> VerifyReport {
        let id = try journalIdentity()
        let pinned = try readPin(unit: id.unit, firstLine: id.firstLine)
        var sizes = Set(checkpoints.map(\.value.head.size))
        if let p = pinned { sizes.insert(p.pin.checkpoint.size) }
        if let t = trust { sizes.insert(t.value.checkpoint.head.size) }
        var report = try verify(treeSizes: sizes)
        guard let root = report.trustRoot else { return report }
        let origin = origin(root)
        func extends(_ head: TreeHeadAt, _ what: String, _ file: String) throws(JournalError) {
            guard head.size <= report.events else {
                throw .damaged(path: path, line: report.events + 1, reason: "\(what) \(file) names \(head.size) lines, but the journal ends at event \(report.events): lines were removed from its end")
            }
            guard let at = report.treeHeads[head.size], at.root == head.root, at.chainHead == head.chainHead else {
                let at = report.treeHeads[head.size]
                throw .damaged(path: path, line: head.size, reason: "the journal does not extend \(what) \(file): its first \(head.size) lines give root \(at?.root.hex ?? "?") and chain head \(at?.chainHead.hex ?? "?"), \(what) says root \(head.root.hex) and chain head \(head.chainHead.hex); history up to event \(head.size) was rewritten")
            }
        }
        if let (pin, p) = pinned {
            if let d = root.differences(from: pin.root) {
                throw JournalError.damaged(path: path, line: 0, reason: "the journal's trust root differs from the one pinned in \(p): \(d). If this change is intended, `fledger trust rotate` records it")
            }
            try extends(pin.checkpoint, "the tree head pinned in", p)
            report.trust.append("extends the tree head pinned in \(p) (event \(pin.checkpoint.size))")
        }
        let journalKeys = report.actors.map { NoteKey(name: NoteKey.name(of: $0.name), publicKey: $0.publicKey) }
        func signatures(_ cp: SignedCheckpoint, _ file: String, keys: [NoteKey]) throws -> [String] {
            var out: [String] = []
            for (s, status) in cp.note.check(keys: keys) {
                switch status {
                case .verified: out.append(s.name)
                case .bad: throw JournalError.damaged(path: file, line: 0, reason: "the signature by \(s.name) does not verify with their key: the checkpoint was changed after it was signed, or forged")
                case .unknown: report.trust.append("\(file): signature by \(s.name) (key id \(Hex.encode(s.keyID))) not checked: a key neither the journal nor a trust export names")
                }
            }
            return out
        }
        for (cp, file) in checkpoints {
            guard cp.origin == origin else {
                throw JournalError.damaged(path: file, line: 0, reason: "the checkpoint is of '\(cp.origin)', this journal is '\(origin)': another unit's or another journal's checkpoint")
            }
            try extends(cp.head, "the checkpoint", file)
            let by = try signatures(cp, file, keys: journalKeys + (trust?.value.trustedKeys ?? []))
            report.trust.append("extends the checkpoint \(file) (event \(cp.head.size))" + (by.isEmpty ? "" : "; signed by \(by.joined(separator: ", "))"))
        }
        if let (t, file) = trust {
            if let d = root.differences(from: t.root) {
                throw JournalError.damaged(path: file, line: 0, reason: "the journal's trust root differs from the exported one: \(d)")
            }
            guard t.checkpoint.origin == origin else {
                throw JournalError.damaged(path: file, line: 0, reason: "the exported checkpoint is of '\(t.checkpoint.origin)', this journal is '\(origin)'")
            }
            try extends(t.checkpoint.head, "the checkpoint exported in", file)
            let by = try signatures(t.checkpoint, file, keys: t.trustedKeys)
            guard !by.isEmpty else {
                throw JournalError.damaged(path: file, line: 0, reason: "the exported checkpoint carries no signature by a key the export names (its admins): it vouches for nothing")
            }
            report.trust.append("matches the trust root exported in \(file) and extends its checkpoint (event \(t.checkpoint.head.size)), signed by \(by.joined(separator: ", "))")
        }
        if root.signingFrom != nil, trustDirectory != nil {
            let file = try JournalFile(path: path, access: .read)
            let start = try file.lastNewline(before: report.bytes - 1).map { $0 + 1 } ?? 0
            writePin(TrustPin(root: root, checkpoint: TreeHeadAt(size: report.events, root: report.treeRoot, chainHead: report.head),
                              offset: start, journal: absolutePath))
            if pinned == nil, let dir = trustDirectory {
                report.trust.append("trust root and tree head pinned in \(TrustPin.path(directory: dir, unit: root.unit, firstLine: root.firstLine)) (first use)")
            }
        }
        return report
    }

    /// This user's pin of the journal, and its file (nil when none is recorded or pinning is off).
    public func trustPin() throws -> (pin: TrustPin, path: String)? {
        let id = try journalIdentity()
        return try readPin(unit: id.unit, firstLine: id.firstLine)
    }

    /// A checkpoint of the whole journal, signed with `key`, made only after the journal verified
    /// (chain, rules, pin). In a signed journal the key must be an active actor's registered key.
    public func checkpoint(signer key: SigningKey) throws -> (checkpoint: SignedCheckpoint, report: VerifyReport) {
        let report = try verify(checkpoints: [])
        guard let root = report.trustRoot else { throw JournalError.damaged(path: path, line: 0, reason: "the journal has no unit") }
        if root.signingFrom != nil {
            guard let a = report.actors.first(where: { $0.name == key.actor && $0.revoked == nil }), a.publicKey == key.publicKey else {
                throw TrustFileError("", "the key of '\(key.actor)' (public \(key.publicKeyHex)) is not the key of an active actor of this journal; a checkpoint of the unit's books is signed by one of its actors (a witness cosigns with `fledger checkpoint cosign`)")
            }
        }
        var cp = SignedCheckpoint(origin: origin(root), head: TreeHeadAt(size: report.events, root: report.treeRoot, chainHead: report.head))
        cp.sign(with: key)
        return (cp, report)
    }

    /// The tree of the journal as it is and the source of its subtree hashes, checked against a
    /// checkpoint: the journal's first N lines must give its root.
    private func treeAgainst(_ file: JournalFile, _ cp: SignedCheckpoint, cpFile: String) throws -> (TreeFile, TreeSource, TrustRoot) {
        let size = try file.size()
        let tree = try currentTree(file, size: size)
        let loaded = try load(file, canClearPending: false)
        let root = try trustRoot(file: file, state: loaded.state, frontier: tree.frontier, size: size)
        guard cp.origin == origin(root) else {
            throw JournalError.damaged(path: cpFile, line: 0, reason: "the checkpoint is of '\(cp.origin)', this journal is '\(origin(root))'")
        }
        guard cp.head.size <= tree.frontier.size else {
            throw JournalError.damaged(path: path, line: tree.frontier.size + 1, reason: "the checkpoint \(cpFile) names \(cp.head.size) lines, but the journal ends at event \(tree.frontier.size): lines were removed from its end")
        }
        let source = treeSource(file, tree: tree)
        let r = try source.root(size: cp.head.size)
        guard r == cp.head.root else {
            throw JournalError.damaged(path: path, line: cp.head.size, reason: "the journal's first \(cp.head.size) lines give root \(r.hex), the checkpoint \(cpFile) says \(cp.head.root.hex): the journal does not extend it (or its tree file is damaged: run `fledger verify`)")
        }
        return (tree, source, root)
    }

    /// The inclusion proof of event `id` in the books `cp` names. Reads the tree file (and the
    /// lines after it), the id index of the checkpoint, the event's line and the lines of at
    /// most two blocks of the tree: its cost does not grow with the journal.
    public func proveInclusion(of id: EventID, in cp: SignedCheckpoint, checkpointFile: String) throws -> InclusionProof? {
        let file = try JournalFile(path: path, access: .read)
        let (tree, source, _) = try treeAgainst(file, cp, cpFile: checkpointFile)
        var seq: Int?
        if let loaded = try load(file, canClearPending: false, fullReplay: false), !loaded.state.index.damaged {
            seq = loaded.state.index.candidates(id).compactMap { loaded.lookup($0) }.first { $0.id == id }?.seq
        }
        if seq == nil {   // no checkpoint that fits: find it by a scan
            seq = try events(containing: Array("\"id\":\"\(id.rawValue)\"".utf8)) { $0.id == id }.first?.seq
        }
        guard let seq else { return nil }
        guard seq <= cp.head.size else {
            throw TrustFileError(checkpointFile, "event \(id) is line \(seq), after the \(cp.head.size) lines the checkpoint covers; make a newer checkpoint (`fledger checkpoint`)")
        }
        let line = try self.line(number: seq, file: file, frontier: tree.frontier, size: tree.size)
        let path = try MerkleProof.inclusion(index: seq - 1, size: cp.head.size, source: source)
        return InclusionProof(origin: cp.origin, size: cp.head.size, root: cp.head.root, index: seq - 1, line: line, path: path)
    }

    /// The consistency proof from the books `from` names to those `to` names (or the journal as it is).
    public func proveConsistency(from: Named<SignedCheckpoint>, to: Named<SignedCheckpoint>?) throws -> ConsistencyProof {
        let file = try JournalFile(path: path, access: .read)
        let (tree, source, _) = try treeAgainst(file, from.value, cpFile: from.file)
        var second = tree.frontier.size, secondRoot = tree.frontier.root
        if let (g, gFile) = to {
            _ = try treeAgainst(file, g, cpFile: gFile)
            second = g.head.size
            secondRoot = g.head.root
        }
        guard from.value.head.size <= second else {
            throw TrustFileError(from.file, "the checkpoint names \(from.value.head.size) lines, more than the \(second) it is to be proven against; give the older checkpoint with --from")
        }
        let path = try MerkleProof.consistency(first: from.value.head.size, second: second, source: source)
        return ConsistencyProof(origin: from.value.origin, first: from.value.head.size, firstRoot: from.value.head.root,
                                second: second, secondRoot: secondRoot, path: path)
    }

    /// The trust root with a checkpoint of the whole journal signed by `key`, and the verifier
    /// keys of its active admins: what `fledger trust export` writes.
    public func trustExport(signer key: SigningKey) throws -> TrustExport {
        let (cp, report) = try checkpoint(signer: key)
        guard let root = report.trustRoot else { throw JournalError.damaged(path: path, line: 0, reason: "the journal has no unit") }
        let admins = report.actors.filter { $0.revoked == nil && $0.roles.contains(.admin) }
        var keys = admins.map { NoteKey(name: NoteKey.name(of: $0.name), publicKey: $0.publicKey) }
        let signerKey = NoteKey(name: NoteKey.name(of: key.actor), publicKey: key.publicKey)
        if !keys.contains(signerKey) { keys.append(signerKey) }
        return TrustExport(root: root, keys: keys, checkpoint: cp)
    }
}

extension JournalStore {
    /// Where `close` leaves the checkpoint of a closed year: `J.close-YEAR.checkpoint`.
    public func closeCheckpointPath(year: Int) -> String { path + ".close-\(year).checkpoint" }

    /// After a close of a signed journal: a checkpoint of the journal up to the close's write
    /// (the close, its carry-forwards and its signature), signed by the closing admin, beside the
    /// journal. Not written (a notice says why) when it cannot be; the close stands.
    func writeCloseCheckpoint(year: Int, items: [ItemResult]) {
        guard let key = signer else { return }
        let seqs = items.compactMap { r -> Int? in if case .appended(let e) = r { return e.seq }; return nil }
        guard let last = seqs.max() else { return }   // nothing appended: the close was already there
        do {
            let file = try JournalFile(path: path, access: .read)
            let size = try file.size()
            let tree = try currentTree(file, size: size)
            let loaded = try load(file, canClearPending: false)
            guard loaded.state.access.signing else { return }
            let n = last + 1   // the write's signature
            guard n <= tree.frontier.size else { return }
            let root = try trustRoot(file: file, state: loaded.state, frontier: tree.frontier, size: size)
            let chain = SHA256.hash(try line(number: n, file: file, frontier: tree.frontier, size: size))
            var cp = SignedCheckpoint(origin: origin(root), head: TreeHeadAt(size: n, root: try treeSource(file, tree: tree).root(size: n), chainHead: chain))
            cp.sign(with: key)
            try SideFile.write(closeCheckpointPath(year: year), Array(cp.serialized.utf8), ops: fileOps)
        } catch {
            notices.add("the close of \(year) is on disk, but its checkpoint \(closeCheckpointPath(year: year)) could not be written (\(error)); make one with `fledger checkpoint`")
        }
    }

    /// The checkpoint `close` left for `year`, if there is one that reads as a checkpoint.
    public func closeCheckpoint(year: Int) -> SignedCheckpoint? {
        guard let b = SideFile.read(closeCheckpointPath(year: year)), b.count <= 1 << 20 else { return nil }
        return try? SignedCheckpoint.parse(String(decoding: b, as: UTF8.self), file: closeCheckpointPath(year: year))
    }
}

extension JournalStore {
    /// Changes this user's pin of the journal on purpose (`fledger trust rotate`): the journal is
    /// verified on its own (chain, rules, signatures; not against the old pin), and the new root
    /// is pinned only when `keys` hold the registered keys of at least `threshold` distinct active
    /// admins of the journal as it stands. Each signs the rotation statement (the old and the new
    /// root and tree head), and the signatures are kept in the pin as its record.
    public func rotateTrust(keys: [SigningKey]) throws -> (old: TrustPin?, new: TrustPin, path: String) {
        guard let dir = trustDirectory else { throw TrustFileError("", "no trust directory: set FLEDGER_TRUST_DIR (or HOME)") }
        let id = try journalIdentity()
        let old = try readPin(unit: id.unit, firstLine: id.firstLine)
        let report = try verify(treeSizes: [])
        guard let root = report.trustRoot, root.signingFrom != nil else {
            throw TrustFileError("", "the journal does not sign: there is no trust root to pin (an admin begins signing with `fledger actor add NAME --role admin`)")
        }
        var admins: [SigningKey] = []
        for k in keys where !admins.contains(where: { $0.actor == k.actor }) {
            guard let a = report.actors.first(where: { $0.name == k.actor && $0.revoked == nil }), a.roles.contains(.admin), a.publicKey == k.publicKey else {
                throw TrustFileError("", "the key of '\(k.actor)' (public \(k.publicKeyHex)) is not the registered key of an active admin of this journal")
            }
            admins.append(k)
        }
        guard admins.count >= root.threshold else {
            throw TrustFileError("", "a rotation needs the keys of \(root.threshold) distinct admin(s); \(admins.count) given")
        }
        var lastStart = 0
        do {
            let file = try JournalFile(path: path, access: .read)
            lastStart = try file.lastNewline(before: report.bytes - 1).map { $0 + 1 } ?? 0
        }
        var pin = TrustPin(root: root, checkpoint: TreeHeadAt(size: report.events, root: report.treeRoot, chainHead: report.head),
                           offset: lastStart, journal: absolutePath)
        let statement = Array(("fledger trust rotate v1\n" + (old.map { "old " + $0.pin.root.lines.joined(separator: "; ") + "\n" } ?? "")
                               + "new " + root.lines.joined(separator: "; ") + "\nsize \(report.events)\nroot \(report.treeRoot.hex)\n").utf8)
        pin.rotation = admins.map { TrustPin.Rotation(name: $0.actor, signature: $0.sign(statement)) }
        pin.rotationStatement = String(decoding: statement, as: UTF8.self)
        writePin(pin)
        return (old?.pin, pin, TrustPin.path(directory: dir, unit: root.unit, firstLine: root.firstLine))
    }
}
