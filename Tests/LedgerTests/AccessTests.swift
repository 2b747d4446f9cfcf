import Foundation
import Testing
@testable import Ledger
@testable import Reconcile

/// Signed events, roles and maker-checker: the issue's acceptance scenario, every rejection,
/// forged and replayed signatures, a rewritten history, and the figures of every reader
/// agreeing on what an item waiting for approval counts (nothing, until approved).
@Suite struct AccessTests {
    static let adminKey = SigningKey(actor: "王会计", seed: [UInt8](repeating: 1, count: 32))
    static let clerkKey = SigningKey(actor: "李出纳", seed: [UInt8](repeating: 2, count: 32))
    static let approverKey = SigningKey(actor: "张审核", seed: [UInt8](repeating: 3, count: 32))
    static let strangerKey = SigningKey(actor: "李出纳", seed: [UInt8](repeating: 9, count: 32))

    static let coveredCodes: Set<RejectionCode> = [
        .signatureRequired, .wrongKey, .unknownActor, .actorRevoked, .missingRole, .batchActor, .actorExists, .lastAdmin,
        .approvalFlag, .notPending, .selfApproval, .pendingTarget, .pendingItems,
    ]

    static func actorAdd(_ key: SigningKey, roles: String, by: String) -> Draft {
        d(["type": "actor", "action": "add", "name": key.actor, "roles": roles, "public_key": key.publicKeyHex, "actor": by])
    }

    /// The seeded journal (unsigned history), with 王会计 declaring themselves admin and
    /// registering a clerk and an approver.
    static func signedStore() throws -> JournalStore {
        var store = try seededStore()
        store.signer = adminKey
        try #require(store.post([actorAdd(adminKey, roles: "admin", by: "王会计")]).appended.count == 1)   // the event and its signature
        try #require(store.post([actorAdd(clerkKey, roles: "clerk", by: "王会计"), actorAdd(approverKey, roles: "approver", by: "王会计")]).appended.count == 2)
        return store
    }

    static func as_(_ store: JournalStore, _ key: SigningKey?) -> JournalStore {
        var s = store
        s.signer = key
        return s
    }

    static func actual(_ p: Projection, _ year: Int = 2023) -> Fen { p.lines(year: year).map(\.figures.actual).sum() }
    static func budget(_ p: Projection, _ year: Int = 2023) -> Fen { p.lines(year: year).map(\.figures.budget).sum() }

    /// The three projections (fast scan, verified read, event by event) and the reconciler agree.
    static func figures(_ store: JournalStore) throws -> (actual: Fen, budget: Fen) {
        let scan = try store.project()
        let read = try store.openForReading().verifiedRead(project: true).projection
        var builder = ProjectionBuilder()
        builder.apply(try store.events())
        #expect(actual(scan) == actual(read))
        #expect(actual(scan) == actual(builder.projection))
        #expect(budget(scan) == budget(read))
        #expect(budget(scan) == budget(builder.projection))
        let (_, r) = try Reconciler.reconcile(store, year: 2023)
        #expect(r.passed, "\(ReconcileTests.why(r))")
        // The export counts what the projections count (hledger postings of 2023's expenses).
        var exported: Int64 = 0
        for l in Export(format: .hledger).document(try store.events()) {
            let c = l.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
            guard l.hasPrefix("  "), c.count == 3, c[0].hasPrefix("Expenses:2023:"), case .success(let f) = Fen.parse(String(c[1])) else { continue }
            exported += f.raw
        }
        #expect(exported == actual(scan).raw)
        return (actual(scan), budget(scan))
    }

    @Test func theAcceptanceScenario() throws {
        let store = try Self.signedStore()
        let clerk = Self.as_(store, Self.clerkKey), approver = Self.as_(store, Self.approverKey)
        // The clerk posts; the reversal they ask for waits.
        #expect(try clerk.post([disbursement("D1", amount: "1000.00", econ: "30201")]).appended.count == 1)
        let before = try Self.figures(store)
        let asked = try clerk.post([d(["type": "adjustment", "kind": "reversal", "id": "R1", "target": "D1", "amount": "400.00",
                                      "date": "2023-03-01", "actor": "李出纳"])]).appended
        #expect(asked.first?.needsApproval == true)
        #expect(try Self.figures(store) == before, "a waiting reversal counts in nothing")
        #expect(try ReconcileTests.tracesAgree(store, year: 2023, step: 2, tables: 3...3) > 3)
        #expect(try store.verify().events == 3 + 2 + 3 + 2 + 2)
        // Only after the approver approves does it count.
        let approved = try approver.post([d(["type": "approval", "target": "R1", "actor": "张审核"])]).appended
        #expect(approved.count == 1)
        let after = try Self.figures(store)
        #expect(after.actual == before.actual - Fen(40_000))
        #expect(after.budget == before.budget)
        #expect(try ReconcileTests.tracesAgree(store, year: 2023, step: 2, tables: 3...3) > 3)
        _ = try store.verify()
        // A revoked key, and a key that is not the registered one, are refused.
        let admin = Self.as_(store, Self.adminKey)
        #expect(try admin.post([d(["type": "actor", "action": "revoke", "name": "李出纳", "reason": "调离", "actor": "王会计"])]).appended.count == 1)
        #expect(try clerk.post([disbursement("D2", amount: "1.00")]).rejections.map(\.code) == [.actorRevoked])
        let impostor = Self.as_(store, Self.strangerKey)
        let again = try Self.as_(store, Self.adminKey).post([Self.actorAdd(SigningKey(actor: "赵出纳", seed: [UInt8](repeating: 4, count: 32)), roles: "clerk", by: "王会计")])
        #expect(again.appended.count == 1)
        var zhao = d(disbursement("D3", amount: "1.00").fields)
        zhao.fields["actor"] = "赵出纳"
        #expect(try Self.as_(store, SigningKey(actor: "赵出纳", seed: [UInt8](repeating: 5, count: 32))).post([zhao]).rejections.map(\.code) == [.wrongKey])
        _ = impostor
        _ = try store.verify()
    }

    @Test func aRewrittenHistoryWithARecomputedChainIsCaught() throws {
        let store = try Self.signedStore()
        #expect(try Self.as_(store, Self.clerkKey).post([disbursement("D1", amount: "1000.00")]).appended.count == 1)
        _ = try store.verify()
        // Change an old, unsigned-history line (A1's amount) and recompute every hash after it.
        var lines = readLines(store.path).filter { !$0.isEmpty }
        lines[1] = lines[1].replacingOccurrences(of: "\"amount\":46742", with: "\"amount\":56742")
        var prev = SHA256.hash(Array(lines[0].utf8))
        for i in 1..<lines.count {
            let cut = lines[i].range(of: "\"prev\":\"")!
            lines[i] = String(lines[i][..<cut.upperBound]) + prev.hex + "\"}"
            prev = SHA256.hash(Array(lines[i].utf8))
        }
        writeLines(store.path, lines + [""])
        try? FileManager.default.removeItem(atPath: store.path + ".fledger-head")
        try? FileManager.default.removeItem(atPath: store.path + ".fledger-checkpoint")
        do {
            _ = try store.verify()
            Issue.record("a rewritten history verified")
        } catch {
            #expect("\(error)".contains("signature"), "\(error)")
            #expect(damagedLine(store) == 5, "the first signature (line 5) vouches for the changed line 2")
        }
    }

    /// A signature copied from another write, or one whose bytes were changed, fails.
    @Test func forgedAndReplayedSignaturesFail() throws {
        let store = try Self.signedStore()
        let clerk = Self.as_(store, Self.clerkKey)
        #expect(try clerk.post([disbursement("D1", amount: "10.00")]).appended.count == 1)
        #expect(try clerk.post([disbursement("D2", amount: "10.00")]).appended.count == 1)
        let original = readLines(store.path).filter { !$0.isEmpty }
        let head = FileManager.default.contents(atPath: store.path + ".fledger-head")
        func sig(_ line: String) -> String { String(line[line.range(of: "\"sig\":\"")!.upperBound...].prefix(128)) }
        // Replay: the first write's signature on the second write's signature line.
        var replayed = original
        let last = replayed.count - 1
        replayed[last] = replayed[last].replacingOccurrences(of: sig(replayed[last]), with: sig(replayed[last - 2]))
        writeLines(store.path, replayed + [""])
        try? FileManager.default.removeItem(atPath: store.path + ".fledger-head")
        #expect(damagedLine(store) == last + 1)
        // A changed signature byte.
        var changed = original
        var s = Array(sig(changed[last]))
        s[10] = s[10] == "0" ? "1" : "0"
        changed[last] = changed[last].replacingOccurrences(of: sig(changed[last]), with: String(s))
        writeLines(store.path, changed + [""])
        #expect(damagedLine(store) == last + 1)
        // A line appended without a signature (someone who can write the file but has no key).
        writeLines(store.path, original + [""])
        _ = FileManager.default.createFile(atPath: store.path + ".fledger-head", contents: head)   // a signed journal needs its head file (issue 22)
        #expect(damagedLine(store) == nil)
        var unsigned = original
        unsigned.removeLast()   // the second write's signature
        writeLines(store.path, unsigned + [""])
        AttackTests.writeHead(store, unsigned)   // the head file rewritten too, or it names the missing line first (issue 22)
        do { _ = try store.verify(); Issue.record("an unsigned write verified") } catch {
            #expect("\(error)".contains("without the signature"), "\(error)")
        }
    }

    @Test func everyAccessRejection() throws {
        let store = try Self.signedStore()
        let clerk = Self.as_(store, Self.clerkKey), approver = Self.as_(store, Self.approverKey), admin = Self.as_(store, Self.adminKey)
        func codes(_ s: JournalStore, _ drafts: [Draft]) throws -> [RejectionCode] { try s.post(drafts).rejections.map(\.code) }
        #expect(try codes(Self.as_(store, nil), [disbursement("X1", amount: "1.00")]) == [.signatureRequired])
        #expect(try codes(Self.as_(store, Self.strangerKey), [disbursement("X1", amount: "1.00")]) == [.wrongKey])
        var unknown = disbursement("X1", amount: "1.00")
        unknown.fields["actor"] = "无名氏"
        #expect(try codes(clerk, [unknown]) == [.unknownActor])
        #expect(try codes(approver, [d(disbursement("X1", amount: "1.00").fields.merging(["actor": "张审核"]) { $1 })]) == [.missingRole])
        #expect(try codes(clerk, [d(["type": "year_open", "year": "2024", "actor": "李出纳"])]) == [.missingRole])
        #expect(try codes(clerk, [disbursement("X1", amount: "1.00"), d(disbursement("X2", amount: "1.00").fields.merging(["actor": "张审核"]) { $1 })])
                .contains(.batchActor))
        #expect(try codes(admin, [Self.actorAdd(Self.clerkKey, roles: "clerk", by: "王会计")]) == [.actorExists])
        #expect(try codes(admin, [d(["type": "actor", "action": "revoke", "name": "王会计", "reason": "x", "actor": "王会计"])]) == [.lastAdmin])
        // Maker-checker.
        #expect(try clerk.post([disbursement("D1", amount: "100.00")]).appended.count == 1)
        #expect(try codes(approver, [d(["type": "approval", "target": "D1", "actor": "张审核"])]) == [.notPending])
        #expect(try clerk.post([d(["type": "adjustment", "kind": "reversal", "id": "R1", "target": "D1", "amount": "10.00", "date": "2023-03-01",
                                   "actor": "李出纳"])]).appended.count == 1)
        #expect(try codes(clerk, [d(["type": "adjustment", "kind": "reversal", "id": "R2", "target": "R1", "date": "2023-03-01", "actor": "李出纳"])])
                == [.invalidTarget])
        // An approver who asked for the item may not approve it: register one who holds both roles.
        let both = SigningKey(actor: "钱主任", seed: [UInt8](repeating: 6, count: 32))
        #expect(try admin.post([Self.actorAdd(both, roles: "clerk,approver", by: "王会计")]).appended.count == 1)
        let qian = Self.as_(store, both)
        var asked = d(["type": "adjustment", "kind": "budget", "id": "B1", "date": "2023-03-02", "fund": "gpb", "item": "2010350", "nature": "basic",
                       "amount": "5.00", "doc": "追加", "actor": "钱主任"])
        #expect(try qian.post([asked]).appended.first?.needsApproval == true)
        #expect(try codes(qian, [d(["type": "approval", "target": "B1", "actor": "钱主任"])]) == [.selfApproval])
        asked.fields["id"] = "B2"
        // A reversal of an item that still waits.
        var override = disbursement("D9", amount: "5000000.00", override: "紧急")
        override.fields["actor"] = "钱主任"
        #expect(try qian.post([override]).appended.first?.needsApproval == true)
        #expect(try codes(qian, [d(["type": "adjustment", "kind": "reversal", "target": "D9", "date": "2023-03-03", "actor": "钱主任"])]) == [.pendingTarget])
        // A year with items waiting cannot be closed.
        #expect(try admin.close(CloseRequest(year: 2023, actor: "王会计")).rejections.map(\.code).contains(.pendingItems))
        // Rejected items never count, and cannot be decided twice.
        #expect(try approver.post([d(["type": "rejection", "target": "D9", "reason": "无依据", "actor": "张审核"])]).appended.count == 1)
        #expect(try codes(approver, [d(["type": "approval", "target": "D9", "actor": "张审核"])]) == [.notPending])
        _ = try Self.figures(store)
        _ = try store.verify()
    }

    /// A line whose approval flag was removed by hand (so it would count at once) is caught
    /// by verify, even with the chain and the signatures recomputed by someone holding the keys
    /// (the rule is the journal's, not the signer's).
    @Test func theApprovalFlagIsTheRulesNotTheWriters() throws {
        let store = try Self.signedStore()
        let clerk = Self.as_(store, Self.clerkKey)
        #expect(try clerk.post([disbursement("D1", amount: "100.00")]).appended.count == 1)
        let r = try clerk.post([d(["type": "adjustment", "kind": "reversal", "id": "R1", "target": "D1", "date": "2023-03-01", "actor": "李出纳"])])
        #expect(r.appended.first?.needsApproval == true)
        var lines = readLines(store.path).filter { !$0.isEmpty }
        let i = lines.firstIndex { $0.contains("\"id\":\"R1\"") }!
        lines[i] = lines[i].replacingOccurrences(of: ",\"approval\":\"required\"", with: "")
        writeLines(store.path, lines + [""])
        try? FileManager.default.removeItem(atPath: store.path + ".fledger-head")
        try? FileManager.default.removeItem(atPath: store.path + ".fledger-checkpoint")
        let v = Validator(catalogue: catalogue)
        var state = LedgerState()
        var rejection: Rejection?
        for e in try store.events() where rejection == nil {
            rejection = v.check(e, state: state, lookup: { _ in nil })
            if rejection == nil { _ = v.apply(e, at: Locator(e.seq), state: &state, lookup: { _ in nil }) }
        }
        #expect(rejection?.code == .approvalFlag)
        #expect(damagedLine(store) == i + 1)
    }

    /// A signed journal's state survives the checkpoint: actors, signing and waiting items.
    @Test func theCheckpointKeepsTheAccessState() throws {
        var store = try Self.signedStore()
        store.checkpointEvery = 1
        let clerk = Self.as_(store, Self.clerkKey)
        #expect(try clerk.post([disbursement("D1", amount: "100.00")]).appended.count == 1)
        #expect(try clerk.post([d(["type": "adjustment", "kind": "reversal", "id": "R1", "target": "D1", "date": "2023-03-01", "actor": "李出纳"])]).appended.count == 1)
        let report = try store.verify()
        #expect(report.notes.contains { $0.contains("checkpoint") && $0.contains("agrees") })
        let cp = try #require(SideFile.read(store.path + ".fledger-checkpoint").flatMap(Checkpoint.decode))
        #expect(cp.state.access.awaiting.keys.map(\.rawValue) == ["R1"])
        #expect(cp.state.access.actors.count == 3)
        #expect(try Self.as_(store, Self.approverKey).post([d(["type": "approval", "target": "R1", "actor": "张审核"])]).appended.count == 1)
    }

    /// Signing begins with an admin declaring themselves; verify counts the history before.
    @Test func signingBeginsWithASelfDeclaredAdmin() throws {
        var store = try seededStore()
        store.signer = Self.clerkKey
        #expect(try store.post([Self.actorAdd(Self.clerkKey, roles: "clerk", by: "李出纳")]).rejections.map(\.code) == [.missingRole])
        #expect(try store.post([Self.actorAdd(Self.adminKey, roles: "admin", by: "李出纳")]).rejections.map(\.code) == [.missingRole])
        store.signer = Self.adminKey
        #expect(try store.post([Self.actorAdd(Self.adminKey, roles: "admin", by: "王会计")]).appended.count == 1)
        let report = try store.verify()
        #expect(report.unsignedHistory == 3)
        #expect(report.signatures == 1)
    }

    /// `show`'s screened read (lines naming the id, or of the decision and signature types)
    /// equals the whole read filtered the same way.
    @Test func theTypeScreenEqualsTheWholeRead() throws {
        let store = try Self.signedStore()
        let clerk = Self.as_(store, Self.clerkKey)
        #expect(try clerk.post([disbursement("D1", amount: "100.00"), disbursement("D2", amount: "5.00")]).appended.count == 2)
        #expect(try clerk.post([d(["type": "adjustment", "kind": "reversal", "id": "R1", "target": "D1", "date": "2023-03-01", "actor": "李出纳"])]).appended.count == 1)
        #expect(try Self.as_(store, Self.approverKey).post([d(["type": "approval", "target": "R1", "actor": "张审核"])]).appended.count == 1)
        let types: [EventType] = [.approval, .rejection, .signature]
        let screened = try store.events(containingAny: [Array("\"D1\"".utf8)], ofTypes: types) { _ in true }
        let lines = readLines(store.path).filter { !$0.isEmpty }
        let whole = try store.events().filter { e in lines[e.seq - 1].contains("\"D1\"") || types.contains(e.body.type) }
        #expect(screened.map(\.seq) == whole.map(\.seq))
        #expect(screened.count == 1 + 1 + 1 + 5)   // D1, R1, the approval, the five writes' signatures
    }

    /// Each access event reads back as itself through both decoders; malformed fields are named.
    @Test func accessLinesRoundTrip() throws {
        let bodies: [EventBody] = [
            .access(.actor(.add("李出纳", roles: [.approver, .clerk], publicKey: Self.clerkKey.publicKey))),
            .access(.actor(.revoke("李出纳", reason: "调离"))),
            .access(.signature(BatchSignature(first: 3, signature: Ed25519.sign([1, 2, 3], seed: [UInt8](repeating: 7, count: 32))))),
            .access(.approval(target: EventID(rawValue: "R1")!)),
            .access(.rejection(target: EventID(rawValue: "R1")!, reason: "无依据")),
        ]
        for (k, body) in bodies.enumerated() {
            let e = Event(seq: 4 + k, id: EventID(rawValue: "X\(k)")!, date: CivilDate("2024-01-05")!, recorded: testClock.now(), actor: "王会计", memo: "", body: body)
            let line = EventCodec.encode(e, prev: .zero)
            #expect(try line.withUnsafeBytes { try EventCodec.decode($0) }.event == e)
            #expect(line.withUnsafeBytes { StrictDecoder.decode($0) }?.event == e)
        }
        let waiting = Event(seq: 9, id: EventID(rawValue: "R1")!, date: CivilDate("2023-03-01")!, recorded: testClock.now(), actor: "李出纳", memo: "备注",
                            body: .adjustment(Adjustment(kind: .reversal(target: EventID(rawValue: "D1")!, amount: Fen(100)), override: nil)), needsApproval: true)
        let line = String(decoding: EventCodec.encode(waiting, prev: .zero), as: UTF8.self)
        #expect(line.contains(",\"approval\":\"required\",\"memo\":"))
        #expect(Array(line.utf8).withUnsafeBytes { StrictDecoder.decode($0) }?.event == waiting)
        for (from, to, field) in [(",\"approval\":\"required\"", ",\"approval\":\"yes\"", "approval")] {
            let bad = Array(line.replacingOccurrences(of: from, with: to).utf8)
            #expect(throws: LineDecodeError.self) { try bad.withUnsafeBytes { try EventCodec.decode($0) } }
            do { _ = try bad.withUnsafeBytes { try EventCodec.decode($0) } } catch { #expect((error as? LineDecodeError)?.field == field) }
        }
        let actorLine = String(decoding: EventCodec.encode(Event(seq: 4, id: EventID(rawValue: "X")!, date: CivilDate("2024-01-05")!, recorded: testClock.now(),
                                                                 actor: "王会计", memo: "", body: bodies[0]), prev: .zero), as: UTF8.self)
        #expect(actorLine.contains("\"roles\":\"clerk,approver\""), "roles in their fixed order")
        for (from, to, field) in [("clerk,approver", "approver,clerk", "roles"), ("clerk,approver", "boss", "roles"),
                                  (Self.clerkKey.publicKeyHex, String(Self.clerkKey.publicKeyHex.dropLast(2)), "public_key")] {
            let bad = Array(actorLine.replacingOccurrences(of: from, with: to).utf8)
            do { _ = try bad.withUnsafeBytes { try EventCodec.decode($0) }; Issue.record("accepted \(to)") } catch { #expect((error as? LineDecodeError)?.field == field) }
        }
    }

    @Test func keyFilesArePrivate() throws {
        let dir = tempDir()
        let key = try SigningKey.generate(actor: "王会计")
        try key.write(to: dir + "/k")
        let loaded = try SigningKey.load(path: dir + "/k")
        #expect(loaded.publicKey == key.publicKey && loaded.actor == "王会计")
        #expect(throws: SigningKey.Problem.self) { try key.write(to: dir + "/k") }   // never overwritten
        chmod(dir + "/k", 0o644)
        #expect(throws: SigningKey.Problem.self) { try SigningKey.load(path: dir + "/k") }
        chmod(dir + "/k", 0o600)
        var text = try String(contentsOfFile: dir + "/k", encoding: .utf8)
        text = text.replacingOccurrences(of: "public ", with: "public 00")
        try text.write(toFile: dir + "/k2", atomically: false, encoding: .utf8)
        chmod(dir + "/k2", 0o600)
        #expect(throws: SigningKey.Problem.self) { try SigningKey.load(path: dir + "/k2") }
    }
}
