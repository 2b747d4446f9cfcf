import Ledger

extension Reconciler {
    /// The document of `year` from one verified read of the journal (the facts, the words) and,
    /// under its lock, the projection (this year's and the prior year's statements). `filter` gives the
    /// document as the journal stood at a date or sequence number.
    public static func document(_ store: JournalStore, year: Int, filter: ProjectionFilter = .all) throws(JournalError) -> Document {
        let session = try store.openForReading()
        var facts = FactBook()
        let read = try session.verifiedRead(filter: filter, visit: { facts.add($0, target: $1) })
        let p = try store.project(filter)   // under the session's lock, as `Reconciler.pass` does
        func statements(_ y: Int) -> Statements {
            StatementBuilder.statements(p, year: y, catalogue: store.catalogue)
        }
        let firstYear = read.report.unit?.year ?? year
        var builder = DocumentBuilder(year: year, unitName: read.report.unit?.unitName ?? "", current: statements(year),
                                      prior: firstYear < year ? statements(year - 1) : nil, projection: p, facts: facts, catalogue: store.catalogue)
        return builder.build()
    }
}
