import Foundation
import Ledger
import Render

enum LogCommand {
    static let spec = CommandSpec(
        name: "log", summary: "list the audit trail, filtered",
        usage: "log [--pending] [--type T] [--item CODE] [--project CODE] [--actor NAME] [--from DATE] [--to DATE] [--unit yuan|wan] [--format text|csv|json]",
        options: [
            Options.journal, Options.catalogue,
            OptionSpec(name: "type", value: "TYPES", help: "event types, comma-separated (appropriation,disbursement,adjustment,unit,year_open)"),
            OptionSpec(name: "item", value: "CODE", help: "功能分类 code or prefix: 201 matches every 项 under 类 201"),
            OptionSpec(name: "econ", value: "CODE", help: "经济分类 code or prefix"),
            OptionSpec(name: "fund", value: "CODE", help: "fund source"),
            OptionSpec(name: "project", value: "CODE", help: "project code"),
            OptionSpec(name: "actor", value: "NAME", help: "who posted"),
            OptionSpec(name: "from", value: "DATE", help: "effective date on or after"),
            OptionSpec(name: "to", value: "DATE", help: "effective date on or before"),
            Options.money(default: .yuan),
            Options.format(TableFormat.self, "json: JSON Lines, one event a line"),
            OptionSpec(name: "pending", value: nil, help: "only the items waiting for a second person's approval, with who asked and when"),
        ],
        details: "Events are listed in journal order (sequence numbers). Amounts of reversals are shown negative.\nWith --pending: what `fledger approve ID` or `fledger reject ID --reason TEXT` decides; none of it counts yet.")

    static func filter(_ a: ParsedArgs) throws(UsageError) -> TrailFilter {
        var f = TrailFilter()
        if let t = a["type"] {
            for name in t.split(separator: ",") {
                guard let type = EventType(rawValue: String(name)) else {
                    throw UsageError(message: "--type '\(name)' is not one of \(EventType.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                f.types.insert(type)
            }
        }
        f.item = a["item"]
        f.econ = a["econ"]
        if let v = a["fund"] { guard let c = FundCode(rawValue: v) else { throw UsageError(message: "--fund '\(v)' is not a fund code") }; f.fund = c }
        if let v = a["project"] { guard let c = ProjectCode(rawValue: v) else { throw UsageError(message: "--project '\(v)' is not a project code") }; f.project = c }
        f.actor = a["actor"]
        for (key, path) in [("from", \TrailFilter.from), ("to", \TrailFilter.to)] as [(String, WritableKeyPath<TrailFilter, CivilDate?>)] {
            if let v = a[key] {
                guard let d = CivilDate(v) else { throw UsageError(message: "--\(key) '\(v)' is not a date YYYY-MM-DD") }
                f[keyPath: path] = d
            }
        }
        return f
    }

    static func run(_ a: ParsedArgs) throws -> Exit {
        let format = try Context.format(a, TableFormat.self)
        let money = try Context.money(a, default: .yuan).grouped
        let f = try filter(a)
        let pending = a.flags.contains("pending")
        let store = try Context.store(a)
        _ = try store.checkBeforeReading()
        let events = pending
            ? try store.accessState().waiting.map(\.event).filter(f.matches)
            : try store.events(containing: f.screen, where: f.matches)   // streamed: memory holds the matches, not the journal
        switch format {
        case .json:
            for e in events { out(JSON.event(e).encoded) }
        case .csv:
            out("seq,id,date,type,kind,fund,item,econ,nature,project,amount,target,doc,payee,voucher,override,actor,recorded,memo")
            for e in events {
                let r = Row(e)
                out([String(e.seq), e.id.rawValue, e.date.description, e.body.type.rawValue, r.kind, r.fund, r.item, r.econ, r.nature,
                     r.project, Trail.amount(of: e)?.yuan ?? "", r.target, r.doc, r.payee, r.voucher, r.override, e.actor,
                     e.recorded.text, e.memo].map(csvField).joined(separator: ","))
            }
        case .text:
            var t = TextTable(["seq", "date", "id", "type", "fund", "项", "经济", "nature", "project", "amount", "actor"] + (pending ? ["asked at"] : []) + ["detail"],
                              align: [.right, .left, .left, .left, .left, .left, .left, .left, .left, .right, .left] + (pending ? [.left] : []) + [.left])
            for e in events {
                let r = Row(e)
                t.add([String(e.seq), e.date.description, e.id.rawValue, e.body.type.rawValue + (r.kind.isEmpty ? "" : ":\(r.kind)"),
                       r.fund, r.item, r.econ, r.nature, r.project, Trail.amount(of: e).map(money) ?? "", e.actor] + (pending ? [e.recorded.text] : []) + [r.detail(e)])
            }
            write(t.render(), to: 1)
            out(pending ? "\(events.count) item(s) wait for approval" : "\(events.count) event(s)")
        }
        return .ok
    }

    /// An event's fields as text cells (shared with the web front end).
    typealias Row = EventRow
}

enum ShowCommand {
    static let spec = CommandSpec(
        name: "show", summary: "show one event: who posted it, its corrections, who approved them, the signatures",
        usage: "show ID [--unit yuan|wan] [--format text|json] [--journal PATH]",
        options: [Options.journal, Options.catalogue, Options.format(TextOrJSON.self), Options.money(default: .yuan)],
        details: "Exit status 5 when no event has that id.")

    static func run(_ a: ParsedArgs) throws -> Exit {
        guard a.positionals.count == 1, let idText = a.positionals.first else { throw UsageError(message: "name one event id") }
        guard let id = EventID(rawValue: idText) else { throw UsageError(message: "'\(idText)' is not an event id") }
        let format = try Context.format(a, TextOrJSON.self)
        let money = try Context.money(a, default: .yuan).grouped
        let store = try Context.store(a)
        let check = try store.checkBeforeReading()
        // From the checkpoint's indexes: a few lines read, whatever the journal's length.
        guard let h = try store.story(of: id) else {
            throw Failure(exit: .notFound, message: "no event with id '\(id)' in \(store.path)")
        }
        let story = Story(history: h, check: check, store: store)
        switch format {
        case .json: story.printJSON()
        case .text: story.printText(catalogue: store.validator.catalogue, money: money)
        }
        return .ok
    }

    /// One event's story: who signed each part of it, and where each waiting item stands.
    struct Story {
        let history: Trail.History
        let check: JournalStore.ReadCheck
        let store: JournalStore

        /// Who signed the write holding an event, with which key; nil before signing began.
        func signedBy(_ e: Event) -> String? {
            if let s = history.signature(covering: e.seq) {
                return "signed by \(s.actor) with key \(history.keys[s.actor].map(Hex.encode) ?? "?") (signature \(s.id), event \(s.seq))"
            }
            // In a journal that signs, every event from the first actor event on is in a signed write.
            guard let from = check.signingFrom, e.seq >= from else { return nil }
            if case .access(.signature) = e.body { return nil }
            return "NOT SIGNED: no signature covers this event, though the journal signs every write since event \(from); run `fledger verify`"
        }

        /// Where an item that needs approval stands; nil for one that needs none.
        func status(_ e: Event) -> String? {
            guard e.needsApproval else { return nil }
            if case .access(.actor) = e.body { return actorChangeStatus(e) }
            guard let d = history.decision(on: e.id) else { return "waiting for a second person's approval" }
            switch d.body {
            case .access(.rejection(_, let reason)): return "rejected by \(d.actor) at \(d.recorded.text) (\(d.id)): \(reason)"
            case .access(.approval): return "approved by \(d.actor) at \(d.recorded.text) (\(d.id))" + (signedBy(d).map { "; \($0)" } ?? "")
            case .unit, .yearOpen, .appropriation, .disbursement, .adjustment, .close, .carryForward, .reopen, .fact, .access(.actor), .access(.signature):
                preconditionFailure("Trail.History.decision(on: \(e.id)) gave \(d.id), a \(d.body.type.rawValue) event, which neither approves nor rejects")
            }
        }

        /// A change of actors takes effect when enough distinct admins approved it.
        func actorChangeStatus(_ e: Event) -> String {
            let ds = history.decisions(on: e.id)
            for r in ds { if case .access(.rejection(_, let reason)) = r.body { return "rejected by \(r.actor) at \(r.recorded.text) (\(r.id)): \(reason)" } }
            let by = ds.map { "\($0.actor) (\($0.id))" }.joined(separator: ", ")
            let waiting = (try? store.accessState().waiting.contains { $0.event.id == e.id }) ?? true
            return waiting ? "waiting for admins (threshold \(check.threshold))" + (by.isEmpty ? "" : "; approved so far by \(by)")
                           : "in effect: approved by \(by)"
        }

        func printJSON() {
            let h = history
            let story: [JSON] = ([h.event] + h.corrections).map { e in
                .object(["id": .string(e.id.rawValue), "status": .string(status(e)), "signed": .string(signedBy(e))])
            }
            out(JSON.object(["event": .event(h.event), "corrections": .array(h.corrections.map(JSON.event)), "decisions": .array(h.decisions.map(JSON.event)),
                             "story": .array(story), "remaining": .fen(h.remaining)]).encoded)
        }

        func printText(catalogue: Catalogue, money: (Fen) -> String) {
            let e = history.event
            let r = LogCommand.Row(e)
            var lines: [(String, String)] = [
                ("id", e.id.rawValue), ("seq", String(e.seq)), ("type", e.body.type.rawValue + (r.kind.isEmpty ? "" : " (\(r.kind))")),
                ("date", e.date.description), ("recorded", e.recorded.text), ("actor", e.actor),
            ]
            if let c = Trail.classifications(of: e).first {
                lines.append(("fund", "\(c.fund) \(catalogue.name(c.fund) ?? "")"))
                lines.append(("item", "\(c.item) \(catalogue.name(c.item) ?? "")"))
                if let econ = c.econ { lines.append(("econ", "\(econ) \(catalogue.name(econ) ?? "")")) }
                lines.append(("nature", "\(c.nature.wire) \(c.nature.chinese)"))
                if let p = c.project { lines.append(("project", p.rawValue)) }
            }
            if let amount = Trail.amount(of: e) { lines.append(("amount", money(amount))) }
            for (k, v) in [("target", r.target), ("doc", r.doc), ("payee", r.payee), ("voucher", r.voucher), ("override", r.override), ("memo", e.memo),
                           ("approval", status(e) ?? ""), ("signed", signedBy(e) ?? "")] where !v.isEmpty {
                lines.append((k, v))
            }
            let w = lines.map { displayWidth($0.0) }.max() ?? 0
            for (k, v) in lines { out(k + String(repeating: " ", count: w - displayWidth(k)) + "  " + v) }
            printCorrections(money: money)
        }

        func printCorrections(money: (Fen) -> String) {
            let h = history
            guard !h.corrections.isEmpty else { out("\nno later corrections refer to it"); return }
            out("\ncorrected by:")
            var t = TextTable(["seq", "date", "id", "kind", "amount", "actor", "detail"], align: [.right, .left, .left, .left, .right, .left, .left])
            for c in h.corrections {
                let cr = LogCommand.Row(c)
                var detail = cr.detail(c)
                if let st = status(c) { detail = detail.replacingOccurrences(of: "; needs a second person's approval", with: "") + "; " + st }
                t.add([String(c.seq), c.date.description, c.id.rawValue, cr.kind, Trail.amount(of: c).map(money) ?? "", c.actor, detail])
            }
            write(t.render(), to: 1)
            if let rem = h.remaining { out("remaining after corrections: \(money(rem))") }
        }
    }
}

enum VerifyCommand {
    static let spec = CommandSpec(
        name: "verify", summary: "check the whole hash chain and replay every rule",
        usage: "verify [--checkpoint FILE]… [--trust FILE] [--format text|json] [--journal PATH]",
        options: [Options.journal, Options.catalogue, Options.format(TextOrJSON.self),
                  Options.checkpoint.repeated.noting("the journal must extend it (its first N lines give that root); repeatable"),
                  Options.trust.noting("the journal must match it: the same trust root, extending its checkpoint")],
        details: """
        Reads every line: it must decode, be in canonical form, carry the next sequence number and
        the SHA-256 of the line before, and pass the rules a post passes. Prints the event count and
        the head hash (publish it: a later verify that ends on the same hash proves nothing before it
        changed), or the first bad line and why. Exit 0 only when the journal is intact; 3 otherwise.
        Also rebuilds the journal's Merkle tree (RFC 9162) and prints its root; compares a signed
        journal with this user's trust pin ($FLEDGER_TRUST_DIR; the first verify records it, see
        `fledger trust --help`), and with every --checkpoint and --trust file given: a journal that
        does not extend one is damage, naming the file and what differs.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let json = try Context.format(a, TextOrJSON.self) == .json
        let store = try Context.store(a)
        let checkpoints = try a.all("checkpoint").map { (try TrustFiles.checkpoint($0), $0) }
        let trust = try a["trust"].map { (try TrustExport.parse(try TrustFiles.read($0, what: "trust export"), file: $0), $0) }
        switch Result(catching: { () throws in try store.verify(checkpoints: checkpoints.map { ($0.0, $0.1) }, trust: trust.map { ($0.0, $0.1) }) }) {
        case .success(let r):
            if json {
                out(JSON.object(["ok": .bool(true), "events": .int(r.events), "bytes": .int(r.bytes), "head": .string(r.head.hex),
                                 "tree_root": .string(r.treeRoot.hex), "trust": .array(r.trust.map { .string($0) }),
                                 "unsigned_history": .int(r.unsignedHistory), "signatures": .int(r.signatures),
                                 "actors": .int(r.actors.filter { $0.revoked == nil }.count), "threshold": .int(r.threshold), "waiting": .int(r.waiting.count),
                                 "notes": .array(r.notes.map { .string($0) })]).encoded)
            } else {
                out("ok: \(r.events) events, \(r.bytes) bytes, chain intact")
                if let u = r.unit { out("unit: \(u.unitCode) \(u.unitName); open years: \(r.openYears.map(String.init).joined(separator: ", "))") }
                out("head: \(r.head.hex)")
                out("tree root (RFC 9162, \(r.events) lines): \(r.treeRoot.hex)")
                if r.unsignedHistory == r.events {
                    out("signing: not begun; every event is unsigned history (an admin begins it: fledger actor add NAME --role admin --public-key KEY --key FILE)")
                } else {
                    out("signing: began at event \(r.unsignedHistory + 1) (\(r.unsignedHistory) event(s) of unsigned history before it); \(r.signatures) write signature(s) verified; \(r.actors.filter { $0.revoked == nil }.count) active actor(s)"
                        + (r.waiting.isEmpty ? "" : "; \(r.waiting.count) item(s) wait for approval"))
                    out("threshold: \(r.threshold) admin signature(s) to add, revoke or change an actor"
                        + (r.threshold == 1 ? " (one admin alone can create identities, approvers included)" : ""))
                }
                for t in r.trust { out("trust: \(t)") }
                for n in r.notes { out("note: \(n)") }
            }
            return .ok
        case .failure(let e):
            guard json else { throw e }
            var line = 0
            if let j = e as? JournalError, case .damaged(_, let l, _) = j { line = l }
            out(JSON.object(["ok": .bool(false), "line": .int(line), "error": .string(String(describing: e))]).encoded)
            return (e as? JournalError).map { exit(for: $0) } ?? .damaged
        }
    }
}

enum RepairCommand {
    static let spec = CommandSpec(
        name: "repair", summary: "set aside what a crash left at the end of the journal",
        usage: "repair [--journal PATH]",
        options: [Options.journal, Options.catalogue],
        details: """
        Removes only what was never acknowledged: a last line cut short, or the part of an import
        batch that was being written when the program stopped. The removed bytes are saved beside
        the journal (JOURNAL.removed-TIMESTAMP), so nothing is lost. Complete lines are never
        touched: a journal that fails verify for any other reason was altered, not crashed.
        A pending-batch marker is obeyed only when it is bound to this journal (it names the hash
        of the line before its batch); one that is not is set aside (JOURNAL.fledger-pending.refused-
        TIMESTAMP) and reported, and nothing is cut for it. Whatever a marker says, a complete
        write whose signature verifies is kept, and so is the line the head file names.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let r = try Context.store(a).repair()
        if let saved = r.savedTo {
            out("repaired: removed \(r.removedBytes) bytes from the end (\(r.reason)); saved them to \(saved)")
        } else if !r.removed.isEmpty {
            out("repaired: removed \(r.removedBytes) bytes from the end (\(r.reason)). The removed bytes follow, between the two marker lines:")
            out("----- removed bytes -----")
            out(String(decoding: r.removed, as: UTF8.self), terminator: r.removed.last == 0x0a ? "" : "\n")
            out("----- end of removed bytes -----")
        } else {
            out(r.reason)
        }
        return .ok
    }
}
