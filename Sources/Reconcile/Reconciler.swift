import Foundation
import Ledger

/// What a reconciliation found. Nothing here prints; the CLI renders it.
public struct Reconciliation: Sendable {
    public struct Mismatch: Sendable {
        public let ref: CellRef
        public let query: CellQuery
        public let statement: Fen
        public let recomputed: Fen
        /// The events the recomputation took for the cell.
        public internal(set) var events: [EventID]
    }
    public struct Term: Sendable { public let sign: Int64; public let ref: CellRef; public let value: Fen }
    public struct IdentityCheck: Sendable {
        public let identity: String
        public let lhs: CellRef
        public let lhsValue: Fen
        public let rhs: [Term]
        /// lhs − Σ rhs, in 分 (must be 0).
        public let difference: Fen
        /// The same on the printed 万元 cells, in units of 0.01 万元.
        public let printedDifference: Int64
        /// Cells the identity names that the statements do not have: the identity itself is
        /// wrong, and fails (a missing cell never counts as 0).
        public let unresolved: [CellRef]
        /// How far printed cells may differ by rounding alone: 1 unit per addend.
        public var roundingBound: Int64 { Int64(max(rhs.count, 1)) }
        /// The printed 万元 of the left side, and the sum of the printed right-hand cells.
        public var printedLHS: Fen { Fen(lhsValue.wanCents * 10_000) }
        public var printedRHS: Fen { Fen((lhsValue.wanCents - printedDifference) * 10_000) }
        public var printedGap: Fen { Fen(printedDifference * 10_000) }
    }

    public let journal: String
    public let events: Int
    public let head: SHA256.Digest
    public let year: Int
    public let provisional: Bool
    public let cells: [(ref: CellRef, value: Fen)]
    public internal(set) var mismatches: [Mismatch]
    public let identities: [IdentityCheck]

    public var identityFailures: [IdentityCheck] {
        identities.filter { !$0.unresolved.isEmpty || $0.difference != .zero || abs($0.printedDifference) > $0.roundingBound }
    }
    public var roundingDifferences: [IdentityCheck] {
        identities.filter { $0.unresolved.isEmpty && $0.difference == .zero && $0.printedDifference != 0 && abs($0.printedDifference) <= $0.roundingBound }
    }
    public var passed: Bool { mismatches.isEmpty && identityFailures.isEmpty }
}

/// A cell's provenance: the events that make it up and what each contributes.
public struct Trace: Sendable {
    public let ref: CellRef
    public let cell: Cell
    public let terms: [(event: Event, kind: Contribution.Kind, signed: Fen)]
    public var sum: Fen { terms.map(\.signed).sum() }
}

public enum Reconciler {
    /// Everything one verified read of the journal gives: the verification, the statements
    /// (from the projection) and the reconciler's own contributions (from the raw events).
    struct Pass {
        let report: JournalStore.VerifyReport
        let statements: Statements
        let contributions: YearContributions
        let lineHashes: [Int: SHA256.Digest]
    }

    /// One verified read of the journal, under the session's lock, recomputing as it goes;
    /// then, under the same lock (no writer can come between), the projection the statements
    /// are made from, by `project` (its snapshot and the lines after it, or a parallel scan),
    /// which agrees with the replay's by the projection tests and costs a fraction of it.
    static func pass(_ session: JournalStore.ReadSession, _ store: JournalStore, year: Int, keep: YearContributions.Keep = .none,
                     recompute: Bool = true, lineHashes: Set<Int> = []) throws(JournalError) -> Pass {
        var acc = YearContributions(year: year, keep: keep)
        let read = try session.verifiedRead(lineHashes: lineHashes, visit: recompute ? { acc.add($0, target: $1) } : nil)
        let statements = StatementBuilder.statements(try store.project(), year: year, catalogue: store.catalogue)
        return Pass(report: read.report, statements: statements, contributions: acc.finished(), lineHashes: read.lineHashes)
    }

    /// The thirteen tables of `year`, from the verified journal (one read).
    public static func statements(_ store: JournalStore, year: Int) throws(JournalError) -> Statements {
        try pass(try store.openForReading(), store, year: year, recompute: false).statements
    }

    /// Proves the statements: every cell recomputed from the raw events by the reconciler's
    /// own path, every identity checked in 分 and on the printed 万元 cells. One verified read;
    /// a second, under the same lock, only to name the events behind cells that do not tie.
    public static func reconcile(_ store: JournalStore, year: Int) throws(JournalError) -> (Statements, Reconciliation) {
        let session = try store.openForReading()
        let p = try pass(session, store, year: year)
        return (p.statements, try reconcile(p, session, store))
    }

    static func reconcile(_ p: Pass, _ session: JournalStore.ReadSession, _ store: JournalStore) throws(JournalError) -> Reconciliation {
        var r = check(p.statements, against: p.contributions, catalogue: store.catalogue, journal: store.path,
                      events: p.report.events, head: p.report.head)
        guard !r.mismatches.isEmpty else { return r }
        var acc = YearContributions(year: p.statements.year, keep: .matching(r.mismatches.map(\.query)))
        _ = try session.verifiedRead(visit: { acc.add($0, target: $1) })
        let behind = acc.finished()
        for k in r.mismatches.indices { r.mismatches[k].events = behind.terms(r.mismatches[k].query).map(\.event.id) }
        return r
    }

    /// The proof itself, for statements and the reconciler's reading of the same journal.
    static func check(_ statements: Statements, against contributions: YearContributions, catalogue: Catalogue, journal: String,
                      events: Int, head: SHA256.Digest) -> Reconciliation {
        var cells: [(CellRef, Fen)] = []
        var mismatches: [Reconciliation.Mismatch] = []
        for t in statements.tables {
            for (_, row, column, cell) in t.cells {
                let ref = CellRef(t.number, row.id, column.id)
                cells.append((ref, cell.value))
                let again = contributions.value(cell.query)
                if again != cell.value {
                    let ids = contributions.terms(cell.query).map(\.event.id)
                    mismatches.append(.init(ref: ref, query: cell.query, statement: cell.value, recomputed: again, events: ids))
                }
            }
        }
        return Reconciliation(journal: journal, events: events, head: head, year: statements.year, provisional: statements.provisional,
                              cells: cells, mismatches: mismatches,
                              identities: checkIdentities(statements, values: statements.values, catalogue: catalogue))
    }

    /// Every identity, on the given cell values. A cell an identity names that is not among
    /// them makes the identity fail: it never counts as 0.
    static func checkIdentities(_ statements: Statements, values: [CellRef: Fen], catalogue: Catalogue) -> [Reconciliation.IdentityCheck] {
        var checks: [Reconciliation.IdentityCheck] = []
        for i in Identities.all(statements, catalogue: catalogue) {
            let unresolved = i.refs.filter { values[$0] == nil }
            let lhs = values[i.lhs] ?? .zero
            let rhs = i.rhs.map { Reconciliation.Term(sign: $0.sign, ref: $0.ref, value: values[$0.ref] ?? .zero) }
            let diff = lhs - rhs.map { $0.value.signed($0.sign) }.sum()
            let pdiff = lhs.wanCents - rhs.reduce(0) { $0 + $1.sign * $1.value.wanCents }
            checks.append(.init(identity: i.name, lhs: i.lhs, lhsValue: lhs, rhs: rhs, difference: diff, printedDifference: pdiff,
                                unresolved: unresolved))
        }
        return checks
    }

    /// A column as a person names it for `table`: its id, its printed label, or (in a 明细表)
    /// the 经济分类 code that heads it.
    static func column(_ text: String, table: Int, year: Int, catalogue: Catalogue) -> ColumnID {
        let layout = StatementBuilder(projection: Projection(), close: nil, year: year, catalogue: catalogue).build()
        if let c = layout.table(table)?.column(named: text) { return c }
        if let code = text.split(separator: " ").first.flatMap({ EconomicCode(rawValue: String($0)) }) { return StatementLayout.econ(code) }
        return ColumnID(text)
    }

    /// The events that make up one cell, with their signed contributions: the address is
    /// resolved to its query first, so one verified read keeps just the events of that cell.
    /// Nil when the statements have no such cell.
    ///
    /// By default it reads like `budget`: on all cores, keeping whole only the events whose
    /// classification the cell can take (and the few corrections and year events), without
    /// re-checking the hash chain. `verified` reads as `reconcile` does: every line verified,
    /// under the journal's lock.
    public static func trace(_ store: JournalStore, year: Int, table: Int, row: String, column: String,
                             verified: Bool = false) throws(JournalError) -> Trace? {
        let ref = CellRef(table, RowID(row), Reconciler.column(column, table: table, year: year, catalogue: store.catalogue))
        guard let q = StatementLayout.query(table: ref.table, row: ref.row, column: ref.column, year: year, catalogue: store.catalogue) else { return nil }
        let statements: Statements, contributions: YearContributions
        if verified {
            let p = try pass(try store.openForReading(), store, year: year, keep: .matching([q]))
            (statements, contributions) = (p.statements, p.contributions)
        } else {
            let read = try store.select(keeping: { YearContributions.selects($0, q) })
            statements = StatementBuilder.statements(read.projection, year: year, catalogue: store.catalogue)
            var acc = YearContributions(year: year, keep: .matching([q]))
            for (e, t) in read.events { acc.add(e, target: t) }
            contributions = acc.finished()
        }
        guard let cell = statements.cell(ref) else { return nil }
        let terms = contributions.terms(cell.query).map { ($0.event, $0.contribution.kind, $0.signed) }
        return Trace(ref: ref, cell: cell, terms: terms)
    }
}

// MARK: - Proofs

/// A reconciliation saved as JSON, bound to the journal it was proven from (its event count
/// and head hash), with every cell's value in 分.
public struct Proof: Codable, Sendable {
    public struct SavedCell: Codable, Sendable { public var table: Int; public var row: String; public var column: String; public var fen: Int64 }
    public struct Rounding: Codable, Sendable {
        public var identity: String; public var cells: [String]; public var difference: String
    }
    /// Version 2 addresses cells by row and column ids (version 1 used printed column labels).
    public var format = Proof.currentFormat
    public static let currentFormat = "fledger-proof/2"
    public var journal: String
    public var events: Int
    public var head: String
    public var year: Int
    public var provisional: Bool
    public var passed: Bool
    public var cellsChecked: Int
    public var identitiesChecked: Int
    public var roundingDifferences: [Rounding]
    public var failures: [String]
    public var cells: [SavedCell]

    init(_ r: Reconciliation, failures: [String]) {
        journal = r.journal; events = r.events; head = r.head.hex; year = r.year; provisional = r.provisional; passed = r.passed
        cellsChecked = r.cells.count; identitiesChecked = r.identities.count
        roundingDifferences = r.roundingDifferences.map { i in
            Rounding(identity: i.identity, cells: [i.lhs.description] + i.rhs.map(\.ref.description),
                     difference: i.printedGap.wan)
        }
        self.failures = failures
        cells = r.cells.map { SavedCell(table: $0.ref.table, row: $0.ref.row.rawValue, column: $0.ref.column.rawValue, fen: $0.value.raw) }
    }

    public func json() -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// The `format` a proof file declares, whatever its version.
    public static func format(of data: Data) -> String? {
        struct Head: Decodable { var format: String }
        return (try? JSONDecoder().decode(Head.self, from: data))?.format
    }

    public static func decode(_ data: Data) -> Proof? {
        guard let p = try? JSONDecoder().decode(Proof.self, from: data), p.format == currentFormat else { return nil }
        return p
    }
}

/// A saved proof checked against the journal as it is now.
public struct Recheck: Sendable {
    public let proof: Proof
    public let events: Int
    public let head: SHA256.Digest
    /// The journal still begins with the events the proof was made from.
    public let prefixIntact: Bool
    public let changed: [(ref: CellRef, before: Fen, now: Fen?)]
    public var appended: Int { events - proof.events }
    public var holds: Bool { prefixIntact && changed.isEmpty }
}

extension Reconciler {
    /// Re-checks a saved proof in one verified read: the journal's line at the proven length
    /// is hashed on the way, and every proven cell is compared with the statements now.
    public static func recheck(_ proof: Proof, store: JournalStore) throws(JournalError) -> Recheck {
        let session = try store.openForReading()
        let p = try pass(session, store, year: proof.year, lineHashes: [proof.events])
        let r = try reconcile(p, session, store)
        let intact = proof.events >= 1 && proof.events <= r.events && p.lineHashes[proof.events]?.hex == proof.head
        let now = p.statements.values
        var changed: [(CellRef, Fen, Fen?)] = []
        for c in proof.cells {
            let ref = CellRef(c.table, RowID(c.row), ColumnID(c.column))
            if now[ref] != Fen(c.fen) { changed.append((ref, Fen(c.fen), now[ref])) }
        }
        return Recheck(proof: proof, events: r.events, head: r.head, prefixIntact: intact, changed: changed)
    }
}
