import Ledger

extension Reconciler {
    /// The document of `year` from one verified read of the journal (the facts, the words) and,
    /// under its lock, the projection (this year's and the prior year's statements). `filter` gives the
    /// document as the journal stood at a date or sequence number.
    public static func document(_ store: JournalStore, year: Int, filter: ProjectionFilter = .all) throws(JournalError) -> Document {
        let session = try store.openForReading()
        var facts = FactBook()
        // The closed year's checkpoint, if `close` left one: the document names those books, once
        // the verified read shows the journal's first N lines give its root and chain head.
        let checkpoint = store.closeCheckpoint(year: year)
        let sizes: Set<Int> = checkpoint.map { [$0.head.size] } ?? []
        let read = try session.verifiedRead(filter: filter, lineHashes: sizes, treeSizes: sizes, visit: { facts.add($0, target: $1) })
        let p = try store.project(filter)   // under the session's lock, as `Reconciler.pass` does
        func statements(_ y: Int) -> Statements {
            StatementBuilder.statements(p, year: y, catalogue: store.catalogue)
        }
        let firstYear = read.report.unit?.year ?? year
        var builder = DocumentBuilder(year: year, unitName: read.report.unit?.unitName ?? "", current: statements(year),
                                      prior: firstYear < year ? statements(year - 1) : nil, projection: p, facts: facts, catalogue: store.catalogue)
        var doc = builder.build()
        if let cp = checkpoint {
            let file = store.closeCheckpointPath(year: year), n = cp.head.size
            guard read.report.treeHeads[n]?.root == cp.head.root, read.lineHashes[n] == cp.head.chainHead else {
                throw .damaged(path: file, line: 0, reason: "the checkpoint of the \(year) close names \(n) lines with root \(cp.head.root.hex), which the journal's first \(n) lines do not give: it does not describe these books")
            }
            let keys = read.report.actors.map { NoteKey(name: NoteKey.name(of: $0.name), publicKey: $0.publicKey) }
            var signers: [String] = []
            for (s, status) in cp.note.check(keys: keys) {
                if status == .bad { throw .damaged(path: file, line: 0, reason: "the signature by \(s.name) does not verify: the checkpoint was changed after it was signed") }
                if status == .verified { signers.append(s.name) }
            }
            doc.booksNote = "本决算依据的账簿：\(cp.origin)，截至第\(n)条记录（\(year)年度结账），默克尔树根（RFC 9162）\(cp.head.root.base64)"
                + (signers.isEmpty ? "" : "，由\(signers.joined(separator: "、"))签名") + "。"
        }
        return doc
    }
}
