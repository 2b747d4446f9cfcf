/// The files fledger keeps beside a journal `J`, each named `J` followed by its suffix: the one
/// list every part that names them uses (the store, repair, `init`'s clean-up, the benchmark).
/// Their formats are in `Journal/README.md`.
public enum JournalFiles: String, CaseIterable, Sendable {
    /// The ledger state after a prefix of the journal (`Checkpoint`); derived, safe to delete.
    case checkpoint = ".fledger-checkpoint"
    /// The last acknowledged sequence number and hash, to catch lines removed from the end.
    case head = ".fledger-head"
    /// The budget-against-actual figures of a prefix (`ProjectionSnapshot`); derived, safe to delete.
    case projection = ".fledger-projection"
    /// Present only while a batch is being written: what the batch will make of the file, so a
    /// batch cut short by a crash is caught and `fledger repair` rolls it back. Not to be
    /// deleted by hand unless `fledger verify` passes.
    case pending = ".fledger-pending"
    /// The Merkle tree of the lines: its frontier and block roots (`TreeFile`), bound to the
    /// journal by size and chain hash; derived, rebuilt by `verify` when missing or torn.
    case tree = ".fledger-tree"
    /// Which checkpoint and projection snapshot the last full `verify` agreed with, so readers
    /// trust them without replaying; derived, safe to delete (readers then warn until verify).
    /// Kept here only without a trust directory; with one it lives there (`verifiedPath`).
    case verified = ".fledger-verified"

    public var suffix: String { rawValue }

    /// This file's path beside the journal at `journal`.
    public func path(beside journal: String) -> String { journal + rawValue }

    /// Every side file's path beside the journal at `journal`.
    public static func paths(beside journal: String) -> [String] { allCases.map { $0.path(beside: journal) } }
}
