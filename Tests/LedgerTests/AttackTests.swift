import Foundation
import Testing
@testable import Ledger

/// Issue 22's attacks on a signed journal, each performed as an attacker would (someone who can
/// write the journal's files but holds no key, or an insider holding one key), each on a fresh
/// signed journal: every one is caught by `verify` (naming the line) or refused at the command
/// with a named rejection. The README's threat table names these tests.
@Suite struct AttackTests {
    typealias A = AccessTests

    /// The rejections these tests provoke.
    static let coveredCodes: Set<RejectionCode> = [.clockBehind, .keyInUse, .belowThreshold, .alreadyApproved]

    /// A fresh signed journal in its own directory (removed by `cleanUp`).
    static func fresh() throws -> JournalStore { try A.signedStore() }

    static func cleanUp(_ store: JournalStore) {
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: store.path).deletingLastPathComponent().path)
    }

    static func lines(_ store: JournalStore) -> [String] { readLines(store.path).filter { !$0.isEmpty } }

    /// Writes the lines back with the chain recomputed from line `from` on, and a head file that
    /// names the new last line (what an attacker who can write the files does).
    static func rewrite(_ store: JournalStore, _ lines: [String], chainFrom from: Int = 1) {
        var lines = lines
        var prev = SHA256.hash(Array(lines[max(from, 1) - 1].utf8))
        for i in max(from, 1)..<lines.count {
            let cut = lines[i].range(of: "\"prev\":\"")!
            lines[i] = String(lines[i][..<cut.upperBound]) + prev.hex + "\"}"
            prev = SHA256.hash(Array(lines[i].utf8))
        }
        writeLines(store.path, lines + [""])
        writeHead(store, lines)
        // The derived files go too, as a rewriter would remove them: what is left to catch the
        // rewrite is the head file, the signatures and the pin.
        for f in [JournalFiles.checkpoint, .projection, .tree, .verified] { try? FileManager.default.removeItem(atPath: f.path(beside: store.path)) }
    }

    static func writeHead(_ store: JournalStore, _ lines: [String]) {
        let last = lines.last!
        _ = FileManager.default.createFile(atPath: store.path + ".fledger-head",
                                           contents: Data("\(lines.count) \(SHA256.hash(Array(last.utf8)).hex)\n".utf8))
    }

    static func damage(_ store: JournalStore) -> (line: Int, reason: String)? {
        do { _ = try store.verify(); return nil } catch {
            if case .damaged(_, let line, let reason) = error { return (line, reason) }
            return (-1, "\(error)")
        }
    }

    // MARK: - 5. The signature event's own fields

    /// The last signature line's id, date, recorded time and memo changed by hand, the head file
    /// rewritten to match: the signature covers the whole event, so it no longer verifies.
    @Test func changeTheLastSignaturesIdDateAndMemo() throws {
        let store = try Self.fresh()
        defer { Self.cleanUp(store) }
        let original = Self.lines(store)
        let last = original.count - 1
        #expect(original[last].contains("\"type\":\"signature\""))
        for (from, to) in [("\"id\":\"sig-", "\"id\":\"sigX-"), ("\"date\":\"2024-01-05\"", "\"date\":\"2024-01-06\""),
                           ("\"recorded\":\"2024-01-05T08:30:00Z\"", "\"recorded\":\"2024-01-05T08:30:01Z\""),
                           (",\"prev\":", ",\"memo\":\"已核对\",\"prev\":")] {
            var changed = original
            changed[last] = changed[last].replacingOccurrences(of: from, with: to)
            #expect(changed[last] != original[last], "\(from)")
            Self.rewrite(store, changed, chainFrom: last + 1)
            let d = Self.damage(store)
            #expect(d?.line == last + 1 && d?.reason.contains("signature") == true, "\(from) → \(to): \(String(describing: d))")
        }
        Self.rewrite(store, original, chainFrom: last + 1)
        #expect(Self.damage(store) == nil)
    }

    /// A journal signed in the old form (which left the signature event's id, dates and memo
    /// out) keeps verifying; once a signature of the new form follows, an old-form signature
    /// after it is refused, and the old ones before it are covered through the chain.
    @Test func oldFormSignaturesVerifyUntilTheNewFormBegins() throws {
        let store = try Self.fresh()
        defer { Self.cleanUp(store) }
        // Re-sign every signature in the old form, as an older fledger wrote them.
        let keys = [A.adminKey, A.clerkKey, A.approverKey]
        func legacy(_ lines: [String], from: Int = 0) throws -> [String] {
            var out = lines
            var prev = SHA256.hash(Array(out[0].utf8))
            for i in 1..<out.count {
                let cut = out[i].range(of: "\"prev\":\"")!
                out[i] = String(out[i][..<cut.upperBound]) + prev.hex + "\"}"
                let e = try Array(out[i].utf8).withUnsafeBytes { try EventCodec.decode($0) }.event
                if i >= from, case .access(.signature(let s)) = e.body {
                    let key = try #require(keys.first { $0.actor == e.actor })
                    let m = AccessRules.legacySignatureMessage(unit: "505001", first: s.first, last: e.seq - 1, actor: e.actor, head: prev)
                    let old = Hex.encode(s.signature)
                    out[i] = out[i].replacingOccurrences(of: old, with: Hex.encode(key.sign(m)))
                }
                prev = SHA256.hash(Array(out[i].utf8))
            }
            return out
        }
        let old = try legacy(Self.lines(store))
        Self.rewrite(store, old, chainFrom: old.count)
        #expect(Self.damage(store) == nil, "an old signed journal keeps verifying")
        // A new post signs in the new form; the old signatures before it are covered by its head.
        #expect(try A.as_(store, A.clerkKey).post([disbursement("D1", amount: "1.00")]).appended.count == 1)
        #expect(Self.damage(store) == nil)
        let now = Self.lines(store)
        var memo = now
        let firstSig = try #require(memo.firstIndex { $0.contains("\"type\":\"signature\"") })
        memo[firstSig] = memo[firstSig].replacingOccurrences(of: ",\"prev\":", with: ",\"memo\":\"改\",\"prev\":")
        Self.rewrite(store, memo, chainFrom: firstSig + 1)
        #expect(Self.damage(store) != nil, "an old-form signature's memo changed under a new-form signature")
        // Downgrade: the last (new-form) signature re-signed in the old form by the key's holder.
        Self.rewrite(store, now, chainFrom: now.count)
        #expect(try A.as_(store, A.clerkKey).post([disbursement("D2", amount: "1.00")]).appended.count == 1)
        let later = Self.lines(store)
        let downgraded = try legacy(later, from: later.count - 1)
        #expect(downgraded != later)
        Self.rewrite(store, downgraded, chainFrom: downgraded.count)
        let d = Self.damage(store)
        #expect(d?.line == later.count && d?.reason.contains("old form") == true, "\(String(describing: d))")
    }

    // MARK: - 5. A huge key file

    /// A 100 MB file named as a key is refused by its size, before any of it is read.
    @Test func aHugeKeyFileIsRefusedBeforeItIsRead() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/big.key"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        #expect(fd >= 0)
        #expect(ftruncate(fd, 100 << 20) == 0)   // sparse: no disk used
        close(fd)
        do {
            _ = try SigningKey.load(path: path)
            Issue.record("a 100 MB key file was accepted")
        } catch {
            #expect(error.message.contains("\(100 << 20) bytes") && error.message.contains("a few hundred bytes"), "\(error)")
        }
    }

    // MARK: - 5. Recorded times going backwards

    /// A post with the clock set to 2000, after events recorded in 2024, is refused naming both
    /// times; a journal whose recorded times step back (edited by hand, chain recomputed) is
    /// caught by verify at the line that steps back.
    @Test func postWithTheClockSetBackTo2000() throws {
        var store = try Self.fresh()
        defer { Self.cleanUp(store) }
        store = JournalStore(path: store.path, catalogue: catalogue, clock: .fixed(Timestamp("2000-01-01T00:00:00Z")!))
        store.signer = A.clerkKey
        let r = try store.post([disbursement("D1", amount: "1.00")]).rejections
        #expect(r.map(\.code) == [.clockBehind])
        #expect(r.first?.message.contains("2000-01-01T00:00:00Z") == true && r.first?.message.contains("2024-01-05T08:30:00Z") == true, "\(r)")
        #expect(Self.damage(store) == nil)
        // The same second as the last event is not behind.
        store = JournalStore(path: store.path, catalogue: catalogue, clock: testClock)
        store.signer = A.clerkKey
        #expect(try store.post([disbursement("D1", amount: "1.00")]).appended.count == 1)
    }

    @Test func recordedTimesEditedToStepBack() throws {
        let store = try seededStore()
        defer { Self.cleanUp(store) }
        var lines = Self.lines(store)
        lines[0] = lines[0].replacingOccurrences(of: "\"recorded\":\"2024-01-05T08:30:00Z\"", with: "\"recorded\":\"2024-01-06T00:00:00Z\"")
        Self.rewrite(store, lines)
        let d = Self.damage(store)
        #expect(d?.line == 2 && d?.reason.contains("clock_behind") == true, "\(String(describing: d))")
    }

    // MARK: - 2. Cut the tail

    /// The admin revokes a stolen key; the attacker deletes that write.
    static func revokedThenCut(_ store: JournalStore) throws -> (whole: [String], cut: [String]) {
        let admin = A.as_(store, A.adminKey)
        #expect(try admin.post([d(["type": "actor", "action": "revoke", "name": "李出纳", "reason": "密钥被盗", "actor": "王会计"])]).appended.count == 1)
        let whole = Self.lines(store)
        #expect(whole[whole.count - 2].contains("\"action\":\"revoke\""))
        return (whole, Array(whole.dropLast(2)))
    }

    /// The last write (an admin's revocation of a stolen key) deleted, and the head file deleted
    /// with it: in a signed journal a missing head file is damage, not a note.
    @Test func cutTheTailAndDeleteTheHeadFile() throws {
        let store = try Self.fresh()
        defer { Self.cleanUp(store) }
        let (_, cut) = try Self.revokedThenCut(store)
        writeLines(store.path, cut + [""])
        try FileManager.default.removeItem(atPath: store.path + ".fledger-head")
        try? FileManager.default.removeItem(atPath: store.path + ".fledger-checkpoint")
        let d = Self.damage(store)
        #expect(d?.line == cut.count && d?.reason.contains("head file") == true, "\(String(describing: d))")
        // The thief's next post is refused too, and does not write a fresh head file over it.
        #expect(throws: JournalError.self) { try A.as_(store, A.clerkKey).post([disbursement("D1", amount: "1.00")]) }
        #expect(!FileManager.default.fileExists(atPath: store.path + ".fledger-head"))
        // A head file of another journal is damage as well.
        _ = FileManager.default.createFile(atPath: store.path + ".fledger-head", contents: Data("\(cut.count) \(String(repeating: "ab", count: 32))\n".utf8))
        #expect(Self.damage(store)?.line == cut.count)
        #expect(throws: JournalError.self) { try A.as_(store, A.clerkKey).post([disbursement("D1", amount: "1.00")]) }
    }

    /// The same cut with the head file left alone: the next honest post is refused (it checks
    /// the journal still holds the acknowledged head) instead of writing a new head over it.
    @Test func cutTheTailThenAnHonestPost() throws {
        let store = try Self.fresh()
        defer { Self.cleanUp(store) }
        let (whole, cut) = try Self.revokedThenCut(store)
        let head = try String(contentsOfFile: store.path + ".fledger-head", encoding: .utf8)
        writeLines(store.path, cut + [""])
        do {
            _ = try A.as_(store, A.approverKey).post([d(["type": "approval", "target": "A1", "actor": "张审核"])])
            Issue.record("a post into a journal cut short of its head was accepted")
        } catch {
            guard case .damaged(_, let line, let reason) = error else { Issue.record("\(error)"); return }
            #expect(line == cut.count + 1 && reason.contains("removed from its end"), "\(reason)")
        }
        #expect(try String(contentsOfFile: store.path + ".fledger-head", encoding: .utf8) == head, "the head file was not overwritten")
        #expect(Self.damage(store)?.line == cut.count + 1)
        writeLines(store.path, whole + [""])
        #expect(Self.damage(store) == nil)
    }

    // MARK: - 3. Make repair do it

    /// A pending marker made by hand pointing into the last signed write (the admin's
    /// revocation): in the old, unbound form it is not obeyed; bound to the journal (the
    /// attacker can compute the hash it needs) it still cannot make repair remove a complete
    /// write whose signature verifies.
    @Test func aHandMadePendingMarkerPointingIntoTheLastSignedWrite() throws {
        let store = try Self.fresh()
        defer { Self.cleanUp(store) }
        let (whole, cut) = try Self.revokedThenCut(store)
        let bytes = try #require(FileManager.default.contents(atPath: store.path))
        let base = cut.reduce(0) { $0 + $1.utf8.count + 1 }
        let lastHash = SHA256.hash(Array(whole.last!.utf8))
        let markers: [(String, Data)] = [
            ("old form", Data("\(base) \(bytes.count + 1) \(lastHash.hex)\n".utf8)),
            ("bound", Data(JournalStore.pendingText(base: base, final: bytes.count + 1, head: lastHash, before: SHA256.hash(Array(cut.last!.utf8))))),
            ("bound, into the write", Data(JournalStore.pendingText(base: base + whole[cut.count].utf8.count + 1, final: -1, head: .zero,
                                                                    before: SHA256.hash(Array(whole[cut.count].utf8))))),
        ]
        for (what, marker) in markers {
            _ = FileManager.default.createFile(atPath: store.path + ".fledger-pending", contents: marker)
            #expect(Self.damage(store) != nil, "\(what): readers refuse a journal with a marker")
            let report = try store.repair()
            #expect(report.removedBytes == 0, "\(what): \(report.reason)")
            #expect(FileManager.default.contents(atPath: store.path) == bytes, "\(what): repair removed the admin's signed revocation")
            #expect(!FileManager.default.fileExists(atPath: store.path + ".fledger-pending"), "\(what)")
            #expect(Self.damage(store) == nil, "\(what)")
        }
        #expect(try A.as_(store, A.clerkKey).post([disbursement("D1", amount: "1.00")]).rejections.map(\.code) == [.actorRevoked])
    }
}

// MARK: - 4. Bypass the second person
extension AttackTests {
    /// A clerk posts an appropriation (budget authority) and spends it: the appropriation now
    /// waits for an approver like a budget adjustment does, shows in 待审批预算, and the
    /// spending is refused until it is approved.
    @Test func aClerkPostsAnAppropriationThenSpendsIt() throws {
        let store = try Self.fresh()
        defer { Self.cleanUp(store) }
        let clerk = A.as_(store, A.clerkKey)
        let before = try store.project()
        let asked = try clerk.post([d(["type": "appropriation", "id": "A9", "date": "2023-03-01", "fund": "gpb", "item": "2010399", "nature": "basic",
                                       "amount": "50000.00", "doc": "自批", "actor": "李出纳"])]).appended
        #expect(asked.first?.needsApproval == true, "an appropriation in a signed journal waits for a second person")
        let waiting = try store.project()
        #expect(A.budget(waiting) == A.budget(before), "a waiting appropriation counts in no budget")
        #expect(waiting.waitingFigures.values.map(\.budget).sum() == Fen(5_000_000), "it shows in 待审批预算")
        let spend = disbursement("D9", amount: "40000.00", econ: "30201", item: "2010399")
        #expect(try clerk.post([spend]).rejections.map(\.code) == [.insufficientBudget])
        #expect(try clerk.post([d(["type": "approval", "target": "A9", "actor": "李出纳"])]).rejections.map(\.code) == [.missingRole])
        #expect(try A.as_(store, A.approverKey).post([d(["type": "approval", "target": "A9", "actor": "张审核"])]).appended.count == 1)
        #expect(A.budget(try store.project()) == A.budget(before) + Fen(5_000_000))
        #expect(try clerk.post([spend]).appended.count == 1)
        _ = try A.figures(store)
        #expect(Self.damage(store) == nil)
    }

    /// One public key registered under a second name (to approve one's own items), also after
    /// the first name was revoked: refused, `key_in_use`.
    @Test func oneKeyUnderTwoNames() throws {
        let store = try Self.fresh()
        defer { Self.cleanUp(store) }
        let admin = A.as_(store, A.adminKey)
        var twin = A.actorAdd(A.clerkKey, roles: "approver", by: "王会计")
        twin.fields["name"] = "李出纳二"
        let r = try admin.post([twin]).rejections
        #expect(r.map(\.code) == [.keyInUse] && r.first?.message.contains("李出纳") == true, "\(r)")
        #expect(try admin.post([d(["type": "actor", "action": "revoke", "name": "李出纳", "reason": "调离", "actor": "王会计"])]).appended.count == 1)
        #expect(try admin.post([twin]).rejections.map(\.code) == [.keyInUse])
        #expect(try admin.post([A.actorAdd(A.clerkKey, roles: "clerk", by: "王会计")]).rejections.map(\.code) == [.keyInUse],
                "a revoked key is not registered again, under its own name either")
        #expect(Self.damage(store) == nil)
    }

    /// With the default threshold (1) a lone admin can register a clerk and an approver whose keys
    /// they hold and approve their own budget increase: an open threat, which verify names
    /// (the threshold line) and the README states. With threshold 2 the same admin cannot.
    @Test func aLoneAdminMakesAClerkAndAnApproverWithThresholdOne() throws {
        let store = try Self.fresh()
        defer { Self.cleanUp(store) }
        let admin = A.as_(store, A.adminKey)
        let puppetClerk = SigningKey(actor: "假出纳", seed: [UInt8](repeating: 21, count: 32))
        let puppetApprover = SigningKey(actor: "假审核", seed: [UInt8](repeating: 22, count: 32))
        #expect(try admin.post([A.actorAdd(puppetClerk, roles: "clerk", by: "王会计"), A.actorAdd(puppetApprover, roles: "approver", by: "王会计")]).appended.count == 2)
        #expect(try store.verify().threshold == 1)
    }

    /// A journal begun with threshold 2: until two admins are registered only admins may be
    /// added; then a clerk or approver added by one admin waits, counts for nothing (cannot post)
    /// and takes effect only when a second admin approves it with their own key.
    @Test func aLoneAdminMakesAClerkAndAnApproverWithThresholdTwo() throws {
        let store = try seededStore()
        defer { Self.cleanUp(store) }
        let admin = A.as_(store, A.adminKey)
        var declare = A.actorAdd(A.adminKey, roles: "admin", by: "王会计")
        declare.fields["threshold"] = "2"
        #expect(try admin.post([declare]).appended.count == 1)
        #expect(try store.verify().threshold == 2)
        #expect(try store.accessState().actors.count == 1)
        let puppetApprover = SigningKey(actor: "假审核", seed: [UInt8](repeating: 22, count: 32))
        #expect(try admin.post([A.actorAdd(puppetApprover, roles: "approver", by: "王会计")]).rejections.map(\.code) == [.belowThreshold])
        let second = SigningKey(actor: "赵主任", seed: [UInt8](repeating: 23, count: 32))
        #expect(try admin.post([A.actorAdd(second, roles: "admin", by: "王会计")]).appended.first?.needsApproval == false, "the set-up: admins only")
        // Now every change needs both.
        let added = try admin.post([A.actorAdd(puppetApprover, roles: "approver", by: "王会计")]).appended
        #expect(added.first?.needsApproval == true)
        #expect(try A.as_(store, puppetApprover).post([d(["type": "approval", "target": added[0].id.rawValue, "actor": "假审核"])]).rejections.map(\.code)
                == [.unknownActor], "a waiting registration registers nobody")
        #expect(try admin.post([d(["type": "approval", "target": added[0].id.rawValue, "actor": "王会计"])]).rejections.map(\.code) == [.selfApproval])
        #expect(try A.as_(store, A.approverKey).post([d(["type": "approval", "target": added[0].id.rawValue, "actor": "张审核"])]).rejections.map(\.code)
                == [.unknownActor])
        var threshold = A.actorAdd(A.clerkKey, roles: "clerk", by: "王会计")
        threshold.fields["threshold"] = "1"
        #expect(try admin.post([threshold]).rejections.map(\.code) == [.malformedField], "the threshold is not lowered by a later change")
        #expect(try admin.post([d(["type": "actor", "action": "revoke", "name": "赵主任", "reason": "x", "actor": "王会计"])]).rejections.map(\.code)
                == [.lastAdmin], "no admin revoked below the threshold")
        let zhao = A.as_(store, second)
        #expect(try zhao.post([d(["type": "approval", "target": added[0].id.rawValue, "actor": "赵主任"])]).appended.count == 1)
        #expect(try store.accessState().actors.map(\.name).contains("假审核"))
        #expect(Self.damage(store) == nil)
        // The waiting state survives the checkpoint, and a replay from it equals a full one.
        var cp = store
        cp.checkpointEvery = 1
        let pending = try A.as_(cp, A.adminKey).post([A.actorAdd(A.clerkKey, roles: "clerk", by: "王会计")]).appended
        #expect(pending.first?.needsApproval == true)
        #expect(try store.verify().notes.contains { $0.contains("checkpoint") && $0.contains("agrees") })
        #expect(try !admin.close(CloseRequest(year: 2023, actor: "王会计")).rejections.map(\.code).contains(.pendingItems),
                "a change of actors waiting for admins does not hold the year's close back")
    }

    /// Threshold 3: two approvals by distinct admins besides the proposer; the same admin
    /// approving twice is refused (`already_approved`).
    @Test func oneAdminApprovingAChangeTwice() throws {
        let store = try seededStore()
        defer { Self.cleanUp(store) }
        let admin = A.as_(store, A.adminKey)
        var declare = A.actorAdd(A.adminKey, roles: "admin", by: "王会计")
        declare.fields["threshold"] = "3"
        #expect(try admin.post([declare]).appended.count == 1)
        let b = SigningKey(actor: "乙", seed: [UInt8](repeating: 31, count: 32)), c = SigningKey(actor: "丙", seed: [UInt8](repeating: 32, count: 32))
        #expect(try admin.post([A.actorAdd(b, roles: "admin", by: "王会计")]).appended.count == 1)
        #expect(try admin.post([A.actorAdd(c, roles: "admin", by: "王会计")]).appended.first?.needsApproval == true, "two admins: both sign now")
        let addC = try #require(try store.accessState().waiting.first?.event.id.rawValue)
        #expect(try A.as_(store, b).post([d(["type": "approval", "target": addC, "actor": "乙"])]).appended.count == 1)
        #expect(try store.accessState().actors.count == 3)
        let added = try admin.post([A.actorAdd(A.clerkKey, roles: "clerk", by: "王会计")]).appended
        let id = added[0].id.rawValue
        #expect(try A.as_(store, b).post([d(["type": "approval", "target": id, "actor": "乙"])]).appended.count == 1)
        #expect(try store.accessState().actors.count == 3, "one approval of two")
        #expect(try A.as_(store, b).post([d(["type": "approval", "target": id, "actor": "乙"])]).rejections.map(\.code) == [.alreadyApproved])
        #expect(try A.as_(store, c).post([d(["type": "approval", "target": id, "actor": "丙"])]).appended.count == 1)
        #expect(try store.accessState().actors.count == 4)
        #expect(Self.damage(store) == nil)
    }
}

// MARK: - 5. Readers that do not verify
extension AttackTests {
    /// An appropriation appended by someone without a key (chain and head file made to match),
    /// without a signature, with and without the approval flag: every reader that does not
    /// verify refuses the journal, naming the line, instead of counting it.
    @Test func appendAnUnsignedLineThenReadTheBudget() throws {
        for flagged in [false, true] {
            let store = try Self.fresh()
            defer { Self.cleanUp(store) }
            _ = try store.checkBeforeReading()
            let before = A.budget(try store.project())
            var lines = Self.lines(store)
            let forged = Event(seq: lines.count + 1, id: EventID(rawValue: "A-FORGED")!, date: CivilDate("2023-03-01")!, recorded: testClock.now(),
                               actor: "李出纳", memo: "", body: .appropriation(Appropriation(
                                   classification: Classification(fund: FundCode(rawValue: "gpb")!, item: FunctionCode(rawValue: "2010350")!, econ: nil,
                                                                  nature: .basic, project: nil),
                                   amount: Fen(100_000_000), document: "伪造")), needsApproval: flagged)
            lines.append(String(decoding: EventCodec.encode(forged, prev: SHA256.hash(Array(lines.last!.utf8))), as: UTF8.self))
            writeLines(store.path, lines + [""])
            Self.writeHead(store, lines)
            do {
                _ = try store.checkBeforeReading()
                Issue.record("a reader accepted an unsigned line (flagged: \(flagged))")
            } catch {
                guard case .damaged(_, let line, let reason) = error else { Issue.record("\(error)"); continue }
                #expect(line == lines.count && reason.contains(flagged ? "without the signature" : "approval_flag"), "\(reason)")
            }
            #expect(A.budget(try store.project()) == before + (flagged ? .zero : Fen(100_000_000)), "project() alone counts what a checked read refuses")
            #expect(Self.damage(store)?.line == lines.count)
        }
    }

    /// A forged `.fledger-projection`: figures changed (its checksum recomputed) — `budget`
    /// says on standard error that its figures rest on a snapshot not verified since it changed,
    /// and verify refuses it; its claim changed — every reader refuses it as damage.
    @Test func forgeTheProjectionSnapshot() throws {
        var store = try Self.fresh()
        defer { Self.cleanUp(store) }
        store.snapshotEvery = (minimum: 1, refresh: 1)
        #expect(try A.as_(store, A.clerkKey).post([disbursement("D1", amount: "100.00")]).appended.count == 1)
        let honest = try store.project()
        let path = store.path + ".fledger-projection"
        let saved = try #require(SideFile.read(path).flatMap(ProjectionSnapshot.decode))
        _ = store.notices.take()
        _ = try store.verify()
        #expect(store.notices.take().isEmpty)
        #expect(A.budget(try store.project()) == A.budget(honest))
        #expect(store.notices.take().isEmpty, "a snapshot verify passed needs no warning")
        // Figures forged.
        var forged = saved
        let key = try #require(forged.figures.keys.first { $0.year == 2023 })
        forged.figures[key]!.initial = forged.figures[key]!.initial + Fen(100_000_000)
        _ = FileManager.default.createFile(atPath: path, contents: Data(forged.encode()))
        #expect(A.budget(try store.project()) == A.budget(honest) + Fen(100_000_000))
        let warned = store.notices.take()
        #expect(warned.contains { $0.contains("rest on the projection snapshot") && $0.contains("fledger verify") }, "\(warned)")
        #expect(Self.damage(store)?.reason.contains("projection snapshot") == true)
        // Claim forged: it says it stands for one event more than the line it names.
        var lying = saved
        lying.lastSeq += 1
        _ = FileManager.default.createFile(atPath: path, contents: Data(lying.encode()))
        #expect(throws: JournalError.self) { try store.project() }
        #expect(throws: JournalError.self) { try store.checkBeforeReading() }
        #expect(Self.damage(store)?.reason.contains("claims") == true)
        try FileManager.default.removeItem(atPath: path)
        #expect(A.budget(try store.project()) == A.budget(honest))
    }

    /// A forged `.fledger-projection` with a stamp to match: the attacker writes, beside the
    /// journal, the stamp naming the forged file's identity. The stamp readers trust is kept in
    /// the trust directory (outside the journal's), so `budget` still says its figures rest on a
    /// snapshot not verified since it changed.
    @Test func forgeTheProjectionSnapshotAndItsStamp() throws {
        var store = try Self.fresh()
        defer { Self.cleanUp(store) }
        store.snapshotEvery = (minimum: 1, refresh: 1)
        store.trustDirectory = URL(fileURLWithPath: store.path).deletingLastPathComponent().path + "/trust"
        #expect(try A.as_(store, A.clerkKey).post([disbursement("D1", amount: "100.00")]).appended.count == 1)
        _ = try store.project()
        _ = try store.verify()
        #expect(store.verifiedPath.hasPrefix(store.trustDirectory! + "/"), "the stamp lives outside the journal's directory")
        #expect(FileManager.default.fileExists(atPath: store.verifiedPath))
        _ = store.notices.take()
        let path = store.projectionPath
        var forged = try #require(SideFile.read(path).flatMap(ProjectionSnapshot.decode))
        let key = try #require(forged.figures.keys.first { $0.year == 2023 })
        forged.figures[key]!.initial = forged.figures[key]!.initial + Fen(100_000_000)
        _ = FileManager.default.createFile(atPath: path, contents: Data(forged.encode()))
        // The stamp an attacker can write: beside the journal, naming the forged file.
        let stamp = "projection \(try #require(store.identity(of: path)))\n"
        _ = FileManager.default.createFile(atPath: JournalFiles.verified.path(beside: store.path), contents: Data(stamp.utf8))
        _ = try store.project()
        let warned = store.notices.take()
        #expect(warned.contains { $0.contains("rest on the projection snapshot") }, "\(warned)")
    }

    /// A line the budget sums between the projection snapshot and the checkpoint (so that
    /// neither the snapshot nor the replay after the checkpoint covers it) changed by hand, with
    /// and without the chain recomputed: refused as damage.
    @Test func editALineBetweenTheSnapshotAndTheCheckpoint() throws {
        var store = try Self.fresh()
        defer { Self.cleanUp(store) }
        store.snapshotEvery = (minimum: 1, refresh: Int.max)
        store.checkpointEvery = 1
        let clerk = A.as_(store, A.clerkKey)
        #expect(try clerk.post([disbursement("D1", amount: "100.00")]).appended.count == 1)
        _ = try store.project()   // the snapshot, after D1
        #expect(try clerk.post([disbursement("D2", amount: "100.00")]).appended.count == 1)
        #expect(try clerk.post([disbursement("D3", amount: "100.00")]).appended.count == 1)   // the checkpoint, after D3
        _ = try store.checkBeforeReading()
        let original = Self.lines(store)
        var lines = original
        let i = try #require(lines.firstIndex { $0.contains("\"id\":\"D2\"") })
        lines[i] = lines[i].replacingOccurrences(of: "\"amount\":10000,", with: "\"amount\":90000,")
        writeLines(store.path, lines + [""])
        do { _ = try store.checkBeforeReading(); Issue.record("a changed line between the snapshot and the checkpoint was read") } catch {
            guard case .damaged(_, let line, _) = error else { Issue.record("\(error)"); return }
            #expect(line == i + 2, "the line after the changed one no longer continues the chain")
        }
        // With the chain recomputed the checkpoint's claim no longer holds.
        var prev = SHA256.hash(Array(lines[i].utf8))
        for k in (i + 1)..<lines.count {
            let cut = lines[k].range(of: "\"prev\":\"")!
            lines[k] = String(lines[k][..<cut.upperBound]) + prev.hex + "\"}"
            prev = SHA256.hash(Array(lines[k].utf8))
        }
        writeLines(store.path, lines + [""])
        Self.writeHead(store, lines)
        #expect(throws: JournalError.self) { try store.checkBeforeReading() }
        writeLines(store.path, original + [""])
        Self.writeHead(store, original)
        _ = try store.checkBeforeReading()
    }

    /// A forged checkpoint whose claim does not hold (its event count changed) is refused by
    /// every reader as damage.
    @Test func forgeTheCheckpointsClaim() throws {
        let store = try Self.fresh()
        defer { Self.cleanUp(store) }
        #expect(try A.as_(store, A.clerkKey).post([disbursement("D1", amount: "100.00")]).appended.count == 1)
        let path = store.path + ".fledger-checkpoint"
        var cp = try #require(SideFile.read(path).flatMap(Checkpoint.decode))
        cp.state.count += 1
        _ = FileManager.default.createFile(atPath: path, contents: Data(cp.encode()))
        do { _ = try store.checkBeforeReading(); Issue.record("a checkpoint that lies was read") } catch {
            #expect("\(error)".contains("checkpoint") && "\(error)".contains("claims"), "\(error)")
        }
    }
}
