/// The journal as it stands, cheaply: from the checkpoint and the lines after it (a full replay
/// only when no checkpoint fits), under a shared lock, without re-checking the hash chain. What a
/// front end's overview shows between verifications: the unit, the years, the event count, the
/// head, what waits for approval.
public struct Standing: Sendable {
    public let unit: UnitOpening?
    public let openYears: [Int]
    /// Years with a standing close (not reopened since).
    public let closedYears: [Int]
    public let events: Int
    public let bytes: Int
    public let head: SHA256.Digest
    public let waiting: [(event: Event, awaiting: Awaiting)]
    public let actors: [Actor]
    public let signingFrom: Int?
}

extension JournalStore {
    public func standing() throws(JournalError) -> Standing {
        let file = try JournalFile(path: path, access: .read)
        let loaded = try load(file, canClearPending: false)
        let s = loaded.state
        let waiting = s.access.awaiting.values.sorted { $0.seq < $1.seq }.compactMap { w in loaded.lookup(w.locator).map { ($0, w) } }
        return Standing(unit: s.unit, openYears: s.openYears.sorted(), closedYears: s.closes.filter { !$0.value.reopened }.keys.sorted(),
                        events: s.count, bytes: loaded.size, head: loaded.head, waiting: waiting,
                        actors: s.access.actors.values.sorted { $0.name < $1.name }, signingFrom: s.access.signingFrom)
    }
}
