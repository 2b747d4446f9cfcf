import Foundation
import Ledger
import Render

enum KeyCommand {
    static let spec = CommandSpec(
        name: "key", summary: "make or show an actor's signing key",
        usage: "key new|show [--actor NAME --output FILE] [--key FILE]",
        options: [
            OptionSpec(name: "actor", value: "NAME", help: "whose key (key new)"),
            OptionSpec(name: "output", value: "FILE", help: "where to write the private key, mode 0600; never overwritten (key new)"),
            Options.key.noting("with key show: the key file to show"),
        ],
        details: """
        fledger key new --actor NAME --output FILE
        fledger key show [--key FILE]

        `key new` writes a new Ed25519 private key readable by its owner only, and prints the public
        key to register (`fledger actor add NAME --role ROLE --public-key KEY`). The private key
        never enters the journal; a command refuses a key file that others can read.
        `key show` prints the actor and public key of a key file.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        switch a.positionals.first {
        case "new"?:
            guard a.positionals.count == 1 else { throw UsageError(message: "key new takes no other words") }
            let actor = try a.required("actor")
            if let problem = AccessRules.nameProblem(actor) { throw UsageError(message: "--actor: \(problem)") }
            let path = try a.required("output")
            let key: SigningKey
            do {
                key = try SigningKey.generate(actor: actor)
                try key.write(to: path)
            } catch { throw Failure(exit: .io, message: "key: \(error)") }
            out("wrote the private key of \(actor) to \(path) (mode 0600; keep it to yourself, back it up safely)")
            out("public key: \(key.publicKeyHex)")
            out("register it: fledger actor add \(actor) --role clerk --public-key \(key.publicKeyHex)")
            return .ok
        case "show"?:
            guard let key = try Context.signingKey(a) else { throw UsageError(message: "name the key: --key FILE or FLEDGER_KEY") }
            out("actor: \(key.actor)")
            out("public key: \(key.publicKeyHex)")
            return .ok
        default:
            throw UsageError(message: "say what to do: key new or key show")
        }
    }
}

enum ActorCommand {
    static let spec = CommandSpec(
        name: "actor", summary: "register, revoke and list the people who may write",
        usage: "actor add|revoke|list [NAME] [--role ROLE[,ROLE] --public-key KEY] [--reason TEXT] [--key FILE] [--format text|json]",
        options: [
            Options.journal, Options.catalogue, Options.key, Options.format(TextOrJSON.self),
            OptionSpec(name: "role", value: "ROLES", help: "clerk (posts, imports), approver (approves or rejects waiting items), admin (actors, years); comma-separated"),
            Options.publicKey.noting("the actor's (actor add)"),
            Options.reason.noting("required with actor revoke"),
            Options.actor.noting("an admin"),
            Options.id(), Options.memo, Options.threshold,
        ],
        details: """
        fledger actor add NAME --role ROLE[,ROLE] --public-key KEY [--key FILE] [--threshold K]
        fledger actor revoke NAME --reason TEXT [--key FILE]
        fledger actor list [--format text|json]

        Only an admin adds or revokes actors. On a journal that does not sign yet, the first
        `actor add` is an admin declaring themselves (NAME is the key's actor, the roles include
        admin): signing begins with it, and the events before it are counted as unsigned history.
        A revoked key signs nothing more; the last admin cannot be revoked. A public key belongs
        to one actor for ever (`key_in_use`, also after that actor is revoked).

        Threshold: the admin who begins signing may set --threshold K (1 to 9; default 1). Then
        every change of actors needs K distinct admins: one posts it (`actor add` or `revoke`), it
        waits like an item for approval (`fledger log --pending`), and K − 1 other admins each
        approve it with their own key (`fledger approve ID --key ADMIN.key`); it takes effect with
        the last approval. Until K admins are registered, only admins may be added (each by one
        admin), and no admin may be revoked once that would leave fewer than K. With K = 1 one
        admin alone can create identities, approvers included: keep K ≥ 2 where that matters.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let words = a.positionals
        switch words.first {
        case "add"?:
            guard words.count == 2 else { throw UsageError(message: "actor add takes one NAME") }
            let roles = try a.required("role")
            var fields = ["action": "add", "name": words[1], "roles": roles, "public_key": try a.required("public-key")]
            fields["threshold"] = a["threshold"]
            return try post(a, fields: fields)
        case "revoke"?:
            guard words.count == 2 else { throw UsageError(message: "actor revoke takes one NAME") }
            if a["threshold"] != nil { throw UsageError(message: "--threshold is set with the first `actor add` of an admin, not with a revocation") }
            return try post(a, fields: ["action": "revoke", "name": words[1], "reason": try a.required("reason")])
        case "list"?:
            let format = try Context.format(a, TextOrJSON.self)
            let state = try Context.store(a).accessState()
            if format == .json {
                for x in state.actors {
                    out(JSON.object(["name": .string(x.name), "roles": .string(Role.list(x.roles)), "public_key": .string(Hex.encode(x.publicKey)),
                                     "added": .string(x.added.rawValue), "revoked": .string(x.revoked?.rawValue)]).encoded)
                }
                return .ok
            }
            guard let from = state.signingFrom else {
                out("no actors: this journal does not sign yet (an admin declares themselves with `fledger actor add NAME --role admin --public-key KEY --key FILE`)")
                return .ok
            }
            var t = TextTable(["actor", "roles", "public key", "added by", "status"], align: [.left, .left, .left, .left, .left])
            for x in state.actors {
                t.add([x.name, Role.list(x.roles), Hex.encode(x.publicKey), x.added.rawValue, x.revoked.map { "revoked (\($0))" } ?? "active"])
            }
            write(t.render(), to: 1)
            out("signing began at event \(from); \(state.actors.filter { $0.revoked == nil }.count) active actor(s)")
            return .ok
        default:
            throw UsageError(message: "say what to do: actor add, actor revoke or actor list")
        }
    }

    static func post(_ a: ParsedArgs, fields: [String: String]) throws -> Exit {
        var f = fields
        f["type"] = EventType.actor.rawValue
        f["actor"] = try Context.actor(a)
        f["id"] = a["id"]
        f["memo"] = a["memo"]
        return try PostCommand.submit([Draft(fields: f.compactMapValues { $0 })], store: try Context.writer(a), format: try Context.format(a, TextOrJSON.self))
    }

    /// `init --public-key`: the actor declares themselves the first admin.
    static func declare(_ a: ParsedArgs, store: JournalStore, publicKey: String) throws -> Exit {
        guard store.signer != nil else {
            throw UsageError(message: "--public-key declares the first admin, who signs the declaration: give their key (--key FILE or FLEDGER_KEY)")
        }
        let actor = try Context.actor(a) ?? ""
        var f = ["type": EventType.actor.rawValue, "action": "add", "name": actor, "roles": Role.admin.rawValue, "public_key": publicKey, "actor": actor]
        f["threshold"] = a["threshold"]
        return try PostCommand.submit([Draft(fields: f)], store: store, format: .text)
    }
}

enum DecisionCommand {
    /// What `approve` and `reject` both take.
    static let options: [OptionSpec] = [Options.journal, Options.catalogue, Options.key, Options.format(TextOrJSON.self),
                                        Options.actor.noting("an approver who did not ask for the item"), Options.id(), Options.memo]

    static let approveSpec = CommandSpec(
        name: "approve", summary: "approve an item waiting for a second person",
        usage: "approve ID [--key FILE] [--actor NAME] [--format text|json]",
        options: options,
        details: """
        Adjustments, anything posted past a check (--override) and reopenings wait for approval by an
        actor with the approver role who did not ask for them. The item counts from its approval on;
        it is checked again then (the budget or the target may have moved). `fledger log --pending`
        lists what waits.
        """)

    static let rejectSpec = CommandSpec(
        name: "reject", summary: "reject an item waiting for a second person, with the reason",
        usage: "reject ID --reason TEXT [--key FILE] [--actor NAME] [--format text|json]",
        options: [Options.reason.noting("required")] + options,
        details: "A rejected item stays in the journal and never counts. Post a new item to ask again.")

    static func approve(_ a: ParsedArgs) throws -> Exit { try decide(a, type: .approval) }
    static func reject(_ a: ParsedArgs) throws -> Exit { try decide(a, type: .rejection) }

    static func decide(_ a: ParsedArgs, type: EventType) throws -> Exit {
        guard a.positionals.count == 1, let target = a.positionals.first else { throw UsageError(message: "name one waiting item's id") }
        var f: [String: String?] = ["type": type.rawValue, "target": target, "actor": try Context.actor(a), "id": a["id"], "memo": a["memo"]]
        if type == .rejection { f["reason"] = try a.required("reason") }
        return try PostCommand.submit([Draft(fields: f.compactMapValues { $0 })], store: try Context.writer(a), format: try Context.format(a, TextOrJSON.self))
    }
}
