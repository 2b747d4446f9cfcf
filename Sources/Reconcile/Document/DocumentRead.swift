import Ledger

extension Reconciler {
    /// The document of `year` from one verified read of the journal: the projection (this
    /// year's and the prior year's statements), the facts, the words. `filter` gives the
    /// document as the journal stood at a date or sequence number.
    public static func document(_ store: JournalStore, year: Int, filter: ProjectionFilter = .all) throws(JournalError) -> Document {
        let session = try store.openForReading()
        var facts = FactBook()
        let read = try session.verifiedRead(project: true, filter: filter, visit: { facts.add($0, target: $1) })
        let p = read.projection
        func statements(_ y: Int) -> Statements {
            StatementBuilder(projection: p, close: p.standingClose(y), year: y, catalogue: store.catalogue).build()
        }
        let firstYear = read.report.unit?.year ?? year
        var builder = DocumentBuilder(year: year, unitName: read.report.unit?.unitName ?? "", current: statements(year),
                                      prior: firstYear < year ? statements(year - 1) : nil, projection: p, facts: facts, catalogue: store.catalogue)
        return builder.build()
    }
}
