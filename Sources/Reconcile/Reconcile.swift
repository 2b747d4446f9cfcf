import Ledger

/// Statements and the proofs that they tie out to the journal live here (issue 6). Until they
/// are built this module holds nothing, and says so: no command presents a statement yet.
public enum Reconcile {}
