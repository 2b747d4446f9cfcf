import Ledger

extension Reconciler {
    /// The statement cells one event feeds, with what it contributes to each (its place in the
    /// year's tables, for a front end's event page). By the reconciler's own contributions: the
    /// same path `trace` and the proof use. `target` is the event a correction corrects.
    public static func cells(fedBy event: Event, target: Event?, in statements: Statements) -> [(ref: CellRef, label: String, signed: Fen)] {
        var acc = YearContributions(year: statements.year, keep: .all)
        acc.add(event, target: target)
        let mine = acc.finished()
        var out: [(CellRef, String, Fen)] = []
        for t in statements.tables {
            for (block, row, column, cell) in t.cells {
                let terms = mine.terms(cell.query)
                guard !terms.isEmpty else { continue }
                let label = "表\(t.number) " + (t.blocks.count > 1 ? "\(block) " : "") + "\(row.code) \(row.name) · \(column.label)"
                out.append((CellRef(t.number, row.id, column.id), label, terms.map(\.signed).sum()))
            }
        }
        return out
    }
}
