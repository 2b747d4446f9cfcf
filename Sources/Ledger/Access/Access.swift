/// Who may do what: the journal's people (actors with public keys and roles), the signature
/// that closes every write once signing has begun, and the second person a correction needs
/// (maker-checker). The rules are stated here once; the validator applies them to a post and
/// to every line `verify` replays, so a journal cannot hold what a post would have refused.
///
/// - Signing begins at the journal's first `actor` event, by which an admin declares
///   themselves (`fledger init --public-key`, or `fledger actor add` on an older journal).
///   Events before it are unsigned history and count as they always did.
/// - From then on every write (one post, one import, a close with its carry-forwards) ends
///   with one `signature` event by the actor who made it: an Ed25519 signature of
///   `signatureMessage`, which holds the hash of the write's last line and so vouches for all
///   history before it. A rewritten line with a recomputed chain changes that hash, and every
///   later signature fails.
/// - Every event after the start is by a registered, unrevoked actor holding its role.
/// - Adjustments, anything posted past a check (`override`) and reopenings wait for an
///   `approval` by another actor with the approver role (or a `rejection`); until approved they
///   count in no projection or statement, and a year with items waiting cannot be closed.

/// What an actor may do.
public enum Role: String, CaseIterable, Hashable, Sendable, Comparable {
    /// Posts appropriations, disbursements, adjustments, facts; imports.
    case clerk = "clerk"
    /// Approves or rejects items waiting for a second person.
    case approver = "approver"
    /// Manages actors; opens, closes and reopens years.
    case admin = "admin"

    public static func < (l: Role, r: Role) -> Bool { allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)! }

    /// "clerk,approver" → roles; nil for an unknown or empty list.
    public static func parseList(_ text: String) -> Set<Role>? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        var out = Set<Role>()
        for p in parts { guard let r = Role(rawValue: p) else { return nil }; out.insert(r) }
        return out.isEmpty ? nil : out
    }

    public static func list(_ roles: Set<Role>) -> String { roles.sorted().map(\.rawValue).joined(separator: ",") }
}

/// An actor registered (`add`) or revoked, by an admin.
public struct ActorChange: Hashable, Sendable {
    public enum Action: String, CaseIterable, Hashable, Sendable { case add = "add", revoke = "revoke" }
    public var action: Action
    public var name: String
    /// For `add`: the roles and the Ed25519 public key (32 bytes).
    public var roles: Set<Role>
    public var publicKey: [UInt8]
    /// For `revoke`: why.
    public var reason: String
    /// On the event that begins signing only: how many distinct admins must sign a change of
    /// actors from then on (nil: 1).
    public var threshold: Int? = nil

    public static func add(_ name: String, roles: Set<Role>, publicKey: [UInt8]) -> ActorChange {
        ActorChange(action: .add, name: name, roles: roles, publicKey: publicKey, reason: "")
    }
    public static func revoke(_ name: String, reason: String) -> ActorChange {
        ActorChange(action: .revoke, name: name, roles: [], publicKey: [], reason: reason)
    }
}

/// The signature closing one write: it covers the events from `first` to the one before it,
/// and (through the hash chain) everything before them.
public struct BatchSignature: Hashable, Sendable {
    public var first: Int
    public var signature: [UInt8]
}

/// The events of access control: one event type each in the journal.
public enum AccessEvent: Hashable, Sendable {
    case actor(ActorChange)
    case signature(BatchSignature)
    /// A second person lets a waiting item count.
    case approval(target: EventID)
    /// A second person refuses a waiting item, with the reason; it never counts.
    case rejection(target: EventID, reason: String)

    public var type: EventType {
        switch self {
        case .actor: return .actor
        case .signature: return .signature
        case .approval: return .approval
        case .rejection: return .rejection
        }
    }
}

/// One registered actor as the journal stands.
public struct Actor: Hashable, Sendable {
    public var name: String
    public var roles: Set<Role>
    public var publicKey: [UInt8]
    /// The event that registered the key, and the one that revoked it (nil while valid).
    public var added: EventID
    public var revoked: EventID?
}

/// An item waiting for a second person.
public struct Awaiting: Hashable, Sendable {
    public var id: EventID
    public var locator: Locator
    public var seq: Int
    public var year: Int
    public var actor: String
    /// A change of actors (added, revoked), which waits for admins rather than approvers.
    public var actorChange = false
    /// The admins who approved a change of actors so far (it takes effect when enough have).
    public var approvals: [String] = []
}

/// The access part of the ledger state: who is registered, whether signing has begun, the
/// write being signed, the items waiting for approval.
public struct AccessState: Hashable, Sendable {
    public internal(set) var actors: [String: Actor] = [:]
    /// The sequence number of the event that began signing; nil for a journal that never did.
    public internal(set) var signingFrom: Int?
    /// The first event (and its actor) of a write not yet closed by its signature.
    public internal(set) var openBatch: OpenWrite?
    public internal(set) var awaiting: [EventID: Awaiting] = [:]
    /// The newest form of signature seen (0: none yet; 1: the old form only; 2: the form that
    /// covers the whole signature event). Once 2, the old form is refused.
    public internal(set) var signedForm = 0
    /// How many distinct admins must sign a change of actors (the proposer and k − 1 who
    /// approve it), set when signing begins (`init --threshold K`, or the first `actor add`);
    /// 1 when not given. The trust root reads it.
    public internal(set) var threshold = 1

    public struct OpenWrite: Hashable, Sendable {
        public var first: Int
        public var actor: String
    }

    public init() {}

    public var signing: Bool { signingFrom != nil }

    /// The actor as registered and not revoked, or nil.
    public func active(_ name: String) -> Actor? {
        actors[name].flatMap { $0.revoked == nil ? $0 : nil }
    }

    /// Active admins.
    public var adminCount: Int { actors.values.filter { $0.revoked == nil && $0.roles.contains(.admin) }.count }

    /// Distinct admin signatures a change of actors needs now: the threshold, or every admin
    /// while fewer are registered (the set-up, during which only admins may be added).
    public var actorSignatures: Int { max(1, min(threshold, adminCount)) }

    /// Approvals a waiting item still needs before it takes effect (0 for none waiting).
    public func approvalsNeeded(_ id: EventID) -> Int {
        guard let w = awaiting[id] else { return 0 }
        return w.actorChange ? max(1, actorSignatures - 1 - w.approvals.count) : 1
    }
}

public enum AccessRules {
    /// The largest threshold (distinct admins to sign a change of actors).
    public static let maxThreshold = 9

    /// The role an event needs as the journal stands: an approval or rejection of a waiting
    /// change of actors is an admin's; of anything else an approver's.
    public static func role(for body: EventBody, access: AccessState) -> Role? {
        switch body {
        case .access(.approval(let id)), .access(.rejection(let id, _)):
            return access.awaiting[id]?.actorChange == true ? .admin : .approver
        case .unit, .yearOpen, .appropriation, .disbursement, .adjustment, .close, .carryForward, .reopen, .fact, .access:
            return role(for: body)
        }
    }

    /// The role an event needs once signing has begun; nil for the signature (its own rules).
    public static func role(for body: EventBody) -> Role? {
        switch body {
        case .appropriation, .disbursement, .adjustment, .fact: return .clerk
        case .unit, .yearOpen, .close, .carryForward, .reopen: return .admin
        case .access(let a):
            switch a {
            case .actor: return .admin
            case .approval, .rejection: return .approver
            case .signature: return nil
            }
        }
    }

    /// True when an event of this content waits, in a journal that signs, as it stands:
    /// `needsApproval(_:)`, and, once the journal signs in form 2 (journals written since
    /// issue 22), every appropriation (all budget authority waits for a second person), and a
    /// change of actors when it needs more than one admin's signature (the threshold).
    public static func needsApproval(_ body: EventBody, access: AccessState) -> Bool {
        switch body {
        case .appropriation: return access.signedForm >= 2
        case .access(.actor): return access.signing && access.actorSignatures > 1
        case .unit, .yearOpen, .disbursement, .adjustment, .close, .carryForward, .reopen, .fact, .access:
            return needsApproval(body)
        }
    }

    /// True when an event of this content waits for a second person (once signing has begun):
    /// every adjustment, anything that passed a check by override, and a reopening.
    public static func needsApproval(_ body: EventBody) -> Bool {
        switch body {
        case .adjustment: return true
        case .disbursement(let d): return d.override != nil
        case .reopen: return true
        // A close is the admin's act on figures the journal fixes; its carry-forwards follow
        // it in the same write, so it cannot wait.
        case .unit, .yearOpen, .appropriation, .close, .carryForward, .fact, .access: return false
        }
    }

    /// The bytes a write's signature signs (form 2): a fixed label, the unit, and the signature
    /// event's own journal line with the 64 signature bytes set to zero and `prev` the hash of
    /// the write's last line (which chains to all before it). So the signature covers the whole
    /// signature event — seq, id, date, recorded time, actor, the events covered, memo — and
    /// everything before it; nothing of the line but the signature bytes can change.
    public static func signatureMessage(unit: String, event: Event, head: SHA256.Digest) -> [UInt8] {
        var e = event
        if case .access(.signature(var s)) = e.body {
            s.signature = [UInt8](repeating: 0, count: Ed25519.signatureSize)
            e.body = .access(.signature(s))
        }
        return Array("fledger signature v2\nunit \(unit)\n".utf8) + EventCodec.encode(e, prev: head) + [0x0a]
    }

    /// The message of form 1, which signed journals written before form 2 hold: it left the
    /// signature event's id, dates and memo out. It verifies only until the journal's first
    /// form-2 signature (`AccessState.signedForm`); see `verify`.
    public static func legacySignatureMessage(unit: String, first: Int, last: Int, actor: String, head: SHA256.Digest) -> [UInt8] {
        Array("fledger signature v1\nunit \(unit)\nevents \(first)-\(last)\nactor \(actor)\nhead \(head.hex)\n".utf8)
    }

    /// The form (2, or 1 for an old journal) in which a signature event verifies with its
    /// signer's registered key over the head it closes (`head`: the hash of the write's last
    /// line); nil when it does not. Form 1 is accepted only while the journal has no form-2
    /// signature before this one: after that, a line in the old form is refused, so the old
    /// form's unsigned fields cannot be changed in any write made since the upgrade, and the
    /// writes made before it are covered, through the chain, by the first form-2 signature.
    /// (The two messages begin with different labels, so a form-2 signature never verifies as
    /// form 1: no one can downgrade a signature by editing its line.)
    public static func verify(_ event: Event, head: SHA256.Digest, state: LedgerState) -> Int? {
        guard case .access(.signature(let s)) = event.body,
              let key = state.access.actors[event.actor]?.publicKey, let unit = state.unit?.unitCode else { return nil }
        if Ed25519.verify(s.signature, message: signatureMessage(unit: unit, event: event, head: head), publicKey: key) { return 2 }
        guard state.access.signedForm < 2 else { return nil }
        let legacy = legacySignatureMessage(unit: unit, first: s.first, last: event.seq - 1, actor: event.actor, head: head)
        return Ed25519.verify(s.signature, message: legacy, publicKey: key) ? 1 : nil
    }

    /// An actor name: one line, 1–64 characters, no leading or trailing space.
    public static func nameProblem(_ name: String) -> String? {
        if name.isEmpty || name.count > 64 { return "an actor's name is 1 to 64 characters" }
        if name.trimmingSpaces != name { return "an actor's name has no leading or trailing spaces" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "," }) { return "an actor's name is one line, without commas" }
        return nil
    }
}

/// The effective events of a journal read in order: what projections and statements count.
/// An item that waits for approval is held back when it appears, and handed on, with the
/// event it corrects, when its approval comes; a rejected or still waiting item never is.
/// Every reader that sums figures from events puts this gate in front of itself, so all of
/// them agree on what counts.
public struct ApprovalGate: Sendable {
    private var held: [EventID: (event: Event, target: Event?)] = [:]

    public init() {}

    /// The events that take effect now, in order, for one event read.
    public mutating func pass(_ e: Event, target: Event?) -> [(event: Event, target: Event?)] {
        if e.needsApproval {
            held[e.id] = (e, target)
            return []
        }
        if case .access(let a) = e.body {
            switch a {
            case .approval(let id): return held.removeValue(forKey: id).map { [$0, (e, nil)] } ?? [(e, nil)]
            case .rejection(let id, _): held[id] = nil
            case .actor, .signature: break
            }
        }
        return [(e, target)]
    }
}
