/// The audit trail: which events match a filter, and what became of one event.
public struct TrailFilter: Sendable {
    public var types: Set<EventType> = []
    /// A 功能分类 prefix: `201` matches every 项 of 类 201.
    public var item: String?
    public var econ: String?
    public var fund: FundCode?
    public var project: ProjectCode?
    public var actor: String?
    public var from: CivilDate?
    public var to: CivilDate?

    public init() {}

    /// Bytes every matching journal line holds, so a reader can skip the others undecoded: a
    /// project, item or econ code is ASCII and never escaped, and `matches` only accepts events
    /// whose own line names it (a code in quotes, or a code prefix after its opening quote).
    public var screen: [UInt8]? {
        if let project { return Array("\"\(project.rawValue)\"".utf8) }
        if let item, item.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return Array("\"\(item)".utf8) }
        if let econ, econ.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return Array("\"\(econ)".utf8) }
        return nil
    }

    public func matches(_ e: Event) -> Bool {
        if !types.isEmpty, !types.contains(e.body.type) { return false }
        if let from, e.date < from { return false }
        if let to, e.date > to { return false }
        if let actor, e.actor != actor { return false }
        if item == nil, econ == nil, fund == nil, project == nil { return true }
        let classes = Trail.classifications(of: e)
        return classes.contains { c in
            (item.map { c.item.rawValue.hasPrefix($0) } ?? true)
                && (econ.map { c.econ?.rawValue.hasPrefix($0) ?? false } ?? true)
                && (fund.map { c.fund == $0 } ?? true)
                && (project.map { c.project == $0 } ?? true)
        }
    }
}

public enum Trail {
    /// The classifications an event names (a reclassification names only its new one; the old
    /// one is its target's).
    public static func classifications(of e: Event) -> [Classification] {
        switch e.body {
        case .unit, .yearOpen, .close, .reopen, .fact, .access: return []
        case .carryForward(let c): return [c.classification]
        case .appropriation(let a): return [a.classification]
        case .disbursement(let d): return [d.classification]
        case .adjustment(let adj):
            switch adj.kind {
            case .budget(let c, _, _): return [c]
            case .reversal: return []
            case .reclassification(_, _, let to): return [to]
            }
        }
    }

    /// The event a correction refers to, if it is one.
    public static func target(of e: Event) -> EventID? {
        guard case .adjustment(let adj) = e.body else { return nil }
        switch adj.kind {
        case .budget: return nil
        case .reversal(let t, _), .reclassification(let t, _, _): return t
        }
    }

    /// The event an event refers to: a correction's target, or the disbursement a “三公”
    /// activity or a procurement explains.
    public static func reference(of e: Event) -> EventID? {
        if let t = target(of: e) { return t }
        if let t = decided(by: e) { return t }
        guard case .fact(let f) = e.body else { return nil }
        switch f {
        case .sanGongActivity(let a): return a.target
        case .procurement(let p): return p.target
        case .vehicle, .asset, .performanceTarget, .performanceResult, .performanceStage, .text: return nil
        }
    }

    /// The item an approval or rejection decides.
    public static func decided(by e: Event) -> EventID? {
        switch e.body {
        case .access(.approval(let t)), .access(.rejection(let t, _)): return t
        case .unit, .yearOpen, .appropriation, .disbursement, .adjustment, .close, .carryForward, .reopen, .fact,
             .access(.actor), .access(.signature): return nil
        }
    }

    /// The signed amount an event carries (nil for unit and year events).
    public static func amount(of e: Event) -> Fen? {
        switch e.body {
        case .unit, .yearOpen, .close, .reopen, .fact, .access: return nil
        case .carryForward(let c): return c.amount
        case .appropriation(let a): return a.amount
        case .disbursement(let d): return d.amount
        case .adjustment(let adj):
            switch adj.kind {
            case .budget(_, let a, _): return a
            case .reversal(_, let a): return -a
            case .reclassification(_, let a, _): return a
            }
        }
    }

    /// One event and the later corrections that refer to it, with what is left uncorrected,
    /// the decisions on any of them that waited for approval, and the signatures of the writes
    /// that hold them.
    public struct History: Sendable {
        public let event: Event
        public let corrections: [Event]
        /// The event's amount less what reversals and reclassifications took from it (those
        /// that count: approved, or needing no approval).
        public let remaining: Fen?
        /// Approvals and rejections of the event or of its corrections.
        public let decisions: [Event]
        public let signatures: [Event]
        /// The public key registered for each signer of those signatures (filled by `story`).
        public internal(set) var keys: [String: [UInt8]] = [:]

        /// The approval or rejection of an item, if any.
        public func decision(on id: EventID) -> Event? { decisions.first { decided(by: $0) == id } }

        /// Every decision on a waiting item, in order (a change of actors may need several
        /// admins' approvals).
        public func decisions(on id: EventID) -> [Event] { decisions.filter { decided(by: $0) == id } }

        /// Whether an event counts: it needs no approval, or it was approved.
        public func counts(_ e: Event) -> Bool {
            guard e.needsApproval else { return true }
            if case .access(.approval)? = decision(on: e.id)?.body { return true }
            return false
        }

        /// The signature that closes the write holding event number `seq`.
        public func signature(covering seq: Int) -> Event? {
            signatures.first { s in
                if case .access(.signature(let b)) = s.body { return b.first <= seq && seq < s.seq }
                return false
            }
        }
    }

    /// The history of `id` among `events` (which must hold the event, its corrections, the
    /// decisions on them and the signatures wanted, as `show` reads them).
    public static func history(of id: EventID, in events: [Event]) -> History? {
        guard let e = events.first(where: { $0.id == id }) else { return nil }
        let corrections = events.filter { target(of: $0) == id }
        let ids = Set([id] + corrections.map(\.id))
        let decisions = events.filter { decided(by: $0).map(ids.contains) ?? false }
        let signatures = events.filter { if case .access(.signature) = $0.body { return true }; return false }
        let partial = History(event: e, corrections: corrections, remaining: nil, decisions: decisions, signatures: signatures)
        var remaining = amount(of: e)
        switch e.body {
        case .appropriation, .disbursement:
            for c in corrections where partial.counts(c) {
                if case .adjustment(let adj) = c.body {
                    switch adj.kind {
                    case .budget: break
                    case .reversal(_, let a), .reclassification(_, let a, _): remaining = remaining.map { $0 - a }
                    }
                }
            }
        case .unit, .yearOpen, .adjustment, .close, .carryForward, .reopen, .fact, .access: break
        }
        return History(event: e, corrections: corrections, remaining: remaining, decisions: decisions, signatures: signatures)
    }
}

extension JournalStore {
    /// One event's whole story (`Trail.History`): the event, the corrections that refer to it,
    /// the approvals and rejections of any of them, and the signatures of the writes that hold
    /// them. From the checkpoint's indexes it reads only those lines (and the few after each, to
    /// its write's signature), so it costs about what a post does whatever the journal's
    /// length; without a checkpoint that fits, or with a damaged one, it scans the journal once.
    public func story(of id: EventID) throws(JournalError) -> Trail.History? {
        let file = try JournalFile(path: path, access: .read)
        if let loaded = try load(file, canClearPending: false, fullReplay: false),
           var h = story(of: id, state: loaded.state, lookup: loaded.lookup, file: file),
           !loaded.state.index.damaged, !loaded.state.references.damaged {
            h.keys = Self.keys(of: h, actors: loaded.state.access.actors.values)
            if !isVerified("checkpoint", checkpointPath) {
                notices.add("what remains of the event and who signed it are read from the checkpoint \(checkpointPath) (the first \(loaded.checkpointCount) events), written since `fledger verify` last checked it; run `fledger verify` to check it")
            }
            return h
        }
        guard var h = try scannedStory(of: id) else { return nil }
        if !h.signatures.isEmpty { h.keys = Self.keys(of: h, actors: try accessState().actors) }
        return h
    }

    private static func keys(of h: Trail.History, actors: some Sequence<Actor>) -> [String: [UInt8]] {
        let signers = Set(h.signatures.map(\.actor))
        return Dictionary(actors.filter { signers.contains($0.name) }.map { ($0.name, $0.publicKey) }, uniquingKeysWith: { a, _ in a })
    }

    /// nil when the event is not in the journal (the caller then scans, to be sure).
    private func story(of id: EventID, state: LedgerState, lookup: (Locator) -> Event?, file: JournalFile) -> Trail.History? {
        func located(_ id: EventID) -> (event: Event, locator: Locator)? {
            state.index.candidates(id).compactMap { l in lookup(l).map { ($0, l) } }.first { $0.event.id == id }
        }
        guard let item = located(id) else { return nil }
        var found: [Locator: Event] = [:]
        var ids = [id]
        for l in state.references.candidates(id) {
            if let e = lookup(l), Trail.target(of: e) == id || Trail.decided(by: e) == id {
                found[l] = e
                if Trail.target(of: e) == id { ids.append(e.id) }
            }
        }
        for c in ids.dropFirst() {
            for l in state.references.candidates(c) { if let e = lookup(l), Trail.decided(by: e) == c { found[l] = e } }
        }
        found[item.locator] = item.event
        // Each write's signature follows its last event: read on from each event to the next one.
        if let from = state.access.signingFrom {
            for (l, e) in found where e.seq >= from {
                var at = Int(l)
                while let line = try? file.readLine(at: at), !line.isEmpty {
                    guard let next = line.withUnsafeBytes(decodeEvent) else { break }
                    if case .access(.signature(let s)) = next.body {
                        if s.first <= e.seq { found[Locator(at)] = next }
                        break
                    }
                    at += line.count + 1
                }
            }
        }
        return Trail.history(of: id, in: found.values.sorted { $0.seq < $1.seq })
    }

    /// The story from one scan of the journal: only lines naming the id in quotes, and the
    /// decisions and signatures, are decoded; read in order, so the ids and sequence numbers
    /// wanted are known before the decisions and signatures that refer to them.
    func scannedStory(of id: EventID) throws(JournalError) -> Trail.History? {
        var ids: Set<EventID> = [id]
        var unsigned: Set<Int> = []
        let named = try events(containingAny: [Array("\"\(id.rawValue)\"".utf8)], ofTypes: [.approval, .rejection, .signature]) { e in
            var keep = e.id == id
            if Trail.target(of: e) == id { ids.insert(e.id); keep = true }
            if let t = Trail.decided(by: e), ids.contains(t) { keep = true }
            if case .access(.signature(let s)) = e.body {
                let covered = unsigned.filter { $0 >= s.first && $0 < e.seq }
                unsigned.subtract(covered)
                return keep || !covered.isEmpty
            }
            if keep { unsigned.insert(e.seq) }
            return keep
        }
        return Trail.history(of: id, in: named)
    }
}
