import Foundation
import Ledger

/// What a reconciliation found. Nothing here prints; the CLI renders it.
public struct Reconciliation: Sendable {
    public struct Mismatch: Sendable {
        public let ref: CellRef
        public let statement: Fen
        public let recomputed: Fen
        /// The events the recomputation took for the cell.
        public let events: [EventID]
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
        /// How far printed cells may differ by rounding alone: 1 unit per addend.
        public var roundingBound: Int64 { Int64(max(rhs.count, 1)) }
        /// The printed 万元 of the left side, and the sum of the printed right-hand cells.
        public var printedLHS: Fen { Fen(Reconciler.printed(lhsValue) * 10_000) }
        public var printedRHS: Fen { Fen((Reconciler.printed(lhsValue) - printedDifference) * 10_000) }
        public var printedGap: Fen { Fen(printedDifference * 10_000) }
    }

    public let journal: String
    public let events: Int
    public let head: SHA256.Digest
    public let year: Int
    public let provisional: Bool
    public let cells: [(ref: CellRef, value: Fen)]
    public let mismatches: [Mismatch]
    public let identities: [IdentityCheck]

    public var identityFailures: [IdentityCheck] { identities.filter { $0.difference != .zero || abs($0.printedDifference) > $0.roundingBound } }
    public var roundingDifferences: [IdentityCheck] { identities.filter { $0.difference == .zero && $0.printedDifference != 0 && abs($0.printedDifference) <= $0.roundingBound } }
    public var passed: Bool { mismatches.isEmpty && identityFailures.isEmpty }
}

/// A cell's provenance: the events that make it up and what each contributes.
public struct Trace: Sendable {
    public let ref: CellRef
    public let cell: Cell
    public let terms: [(event: Event, kind: Contribution.Kind, signed: Fen)]
    public var sum: Fen { Fen(terms.reduce(0) { $0 + $1.signed.raw }) }
}

public enum Reconciler {
    /// Everything the statements need, read from one verified state of the journal.
    struct Snapshot {
        let report: JournalStore.VerifyReport
        let statements: Statements
        let contributions: YearContributions
    }

    /// The statements from the projection, as of the verified journal.
    static func built(_ store: JournalStore, year: Int) throws(JournalError) -> (JournalStore.VerifyReport, Statements) {
        let report = try store.verify()   // a damaged journal fails here, naming its line
        let projection = try store.project(ProjectionFilter(untilSeq: report.events))
        let statements = StatementBuilder(projection: projection, close: projection.standingClose(year), year: year, catalogue: store.catalogue).build()
        return (report, statements)
    }

    static func snapshot(_ store: JournalStore, year: Int) throws(JournalError) -> Snapshot {
        let (report, statements) = try built(store, year: year)
        let events = Array(try store.events().prefix(report.events))
        return Snapshot(report: report, statements: statements, contributions: YearContributions(events: events, year: year))
    }

    /// The thirteen tables of `year`, from the verified journal.
    public static func statements(_ store: JournalStore, year: Int) throws(JournalError) -> Statements {
        try built(store, year: year).1
    }

    /// Proves the statements: every cell recomputed from the raw events by the reconciler's
    /// own path, every identity checked in 分 and on the printed 万元 cells.
    public static func reconcile(_ store: JournalStore, year: Int) throws(JournalError) -> (Statements, Reconciliation) {
        let s = try snapshot(store, year: year)
        return (s.statements, check(s.statements, against: s.contributions, journal: store.path, events: s.report.events, head: s.report.head))
    }

    /// The proof itself, for statements and the reconciler's reading of the same journal.
    static func check(_ statements: Statements, against contributions: YearContributions, journal: String, events: Int,
                      head: SHA256.Digest) -> Reconciliation {
        var cells: [(CellRef, Fen)] = []
        var values: [CellRef: Fen] = [:]
        var mismatches: [Reconciliation.Mismatch] = []
        for t in statements.tables {
            for (_, row, column, cell) in t.cells {
                let ref = CellRef(t.number, row.code, column)
                cells.append((ref, cell.value))
                values[ref] = cell.value
                let again = contributions.value(cell.query)
                if again != cell.value {
                    let ids = contributions.terms(cell.query).map { contributions.event($0.contribution).id }
                    mismatches.append(.init(ref: ref, statement: cell.value, recomputed: again, events: ids))
                }
            }
        }
        return Reconciliation(journal: journal, events: events, head: head, year: statements.year, provisional: statements.provisional,
                              cells: cells, mismatches: mismatches, identities: checkIdentities(statements, values: values))
    }

    /// Every identity, on the given cell values (a missing cell counts as 0).
    /// A cell as printed: 万元 with two decimals, in units of 0.01 万元, rounded half up.
    static func printed(_ f: Fen) -> Int64 { let u = Int64((f.raw.magnitude + 5_000) / 10_000); return f.raw < 0 ? -u : u }

    static func checkIdentities(_ statements: Statements, values: [CellRef: Fen]) -> [Reconciliation.IdentityCheck] {
        var checks: [Reconciliation.IdentityCheck] = []
        for i in Identities.all(statements) {
            let lhs = values[i.lhs] ?? .zero
            let rhs = i.rhs.map { Reconciliation.Term(sign: $0.sign, ref: $0.ref, value: values[$0.ref] ?? .zero) }
            let diff = lhs.raw - rhs.reduce(0) { $0 + $1.sign * $1.value.raw }
            let pdiff = printed(lhs) - rhs.reduce(0) { $0 + $1.sign * printed($1.value) }
            checks.append(.init(identity: i.name, lhs: i.lhs, lhsValue: lhs, rhs: rhs, difference: Fen(diff), printedDifference: pdiff))
        }
        return checks
    }

    /// The events that make up one cell, with their signed contributions.
    public static func trace(_ store: JournalStore, year: Int, table: Int, row: String, column: String) throws(JournalError) -> Trace? {
        let s = try snapshot(store, year: year)
        guard let cell = s.statements.table(table)?.cell(row: row, column: column) else { return nil }
        let terms = s.contributions.terms(cell.query).map { (s.contributions.event($0.contribution), $0.contribution.kind, $0.signed) }
        return Trace(ref: CellRef(table, row, column), cell: cell, terms: terms)
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
    public var format = "fledger-proof/1"
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

    public init(_ r: Reconciliation, failures: [String]) {
        journal = r.journal; events = r.events; head = r.head.hex; year = r.year; provisional = r.provisional; passed = r.passed
        cellsChecked = r.cells.count; identitiesChecked = r.identities.count
        roundingDifferences = r.roundingDifferences.map { i in
            Rounding(identity: i.identity, cells: [i.lhs.description] + i.rhs.map(\.ref.description),
                     difference: i.printedGap.wan)
        }
        self.failures = failures
        cells = r.cells.map { SavedCell(table: $0.ref.table, row: $0.ref.row, column: $0.ref.column, fen: $0.value.raw) }
    }

    public func json() -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(self)) ?? Data(), as: UTF8.self)
    }

    public static func decode(_ data: Data) -> Proof? { try? JSONDecoder().decode(Proof.self, from: data) }
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
    public static func recheck(_ proof: Proof, store: JournalStore) throws(JournalError) -> Recheck {
        let (statements, r) = try reconcile(store, year: proof.year)
        var intact = false
        if proof.events <= r.events, proof.events >= 1 {
            intact = try store.lineHash(seq: proof.events)?.hex == proof.head
        }
        var now: [CellRef: Fen] = [:]
        for t in statements.tables { for (_, row, column, cell) in t.cells { now[CellRef(t.number, row.code, column)] = cell.value } }
        var changed: [(CellRef, Fen, Fen?)] = []
        for c in proof.cells {
            let ref = CellRef(c.table, c.row, c.column)
            if now[ref] != Fen(c.fen) { changed.append((ref, Fen(c.fen), now[ref])) }
        }
        return Recheck(proof: proof, events: r.events, head: r.head, prefixIntact: intact, changed: changed)
    }
}
