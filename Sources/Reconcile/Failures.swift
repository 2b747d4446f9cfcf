import Ledger

/// One way the statements fail to reconcile, with the sentence that says so: what `reconcile`
/// prints after FAIL, what a saved proof lists, and what the web page shows.
public enum ReconcileFailure: Sendable, CustomStringConvertible {
    /// A cell differs from its recomputation from the raw events.
    case mismatch(Reconciliation.Mismatch)
    /// An identity names cells the statements do not have.
    case unresolved(Reconciliation.IdentityCheck)
    /// An identity does not hold exactly in 分.
    case inFen(Reconciliation.IdentityCheck)
    /// An identity holds in 分, but its printed 万元 cells differ by more than rounding allows.
    case beyondRounding(Reconciliation.IdentityCheck)

    public var description: String {
        switch self {
        case .mismatch(let m):
            return "\(m.ref): statement \(m.statement.yuan), recomputed from the journal \(m.recomputed.yuan), difference \((m.statement - m.recomputed).yuan); events: "
                + m.events.map(\.rawValue).joined(separator: ", ")
        case .unresolved(let i):
            return "\(i.identity): names cell(s) the statements do not have: " + i.unresolved.map(\.description).joined(separator: ", ")
        case .inFen(let i):
            return "\(i.identity): \(i.lhs) \(i.lhsValue.yuan) ≠ \(Self.rhs(i)) (difference \(i.difference.yuan) yuan)"
        case .beyondRounding(let i):
            return "\(i.identity): printed figures differ by \(i.printedGap.wan) 万元, more than rounding (\(i.roundingBound) × 0.01) allows: \(i.lhs) vs \(Self.rhs(i))"
        }
    }

    static func rhs(_ i: Reconciliation.IdentityCheck) -> String {
        i.rhs.map { "\($0.sign < 0 ? "−" : "+") \($0.ref) \($0.value.yuan)" }.joined(separator: " ")
    }
}

extension Reconciliation {
    /// Everything that does not tie: the cells first, then the identities, in the order checked.
    public var failures: [ReconcileFailure] {
        mismatches.map(ReconcileFailure.mismatch) + identityFailures.map { i in
            if !i.unresolved.isEmpty { return .unresolved(i) }
            return i.difference != .zero ? .inFen(i) : .beyondRounding(i)
        }
    }
}

extension Proof {
    /// The proof of a reconciliation, listing its failures as `failures` describes them.
    public init(_ r: Reconciliation) { self.init(r, failures: r.failures.map(\.description)) }

    /// Saves the proof as the file at `path`, durably (`DurableFile`).
    public func save(to path: String, ops: FileOps = .system) throws(JournalError) {
        try DurableFile.write(Array(json().utf8), to: path, ops: ops)
    }
}
