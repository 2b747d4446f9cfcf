import Foundation
import Testing
@testable import Ledger
import Reconcile

/// Trust kept outside the journal: the Merkle tree file beside it, the pin in the user's trust
/// directory, signed checkpoints and the proofs made from them. Each attack of issue 22 that
/// the pin or a checkpoint catches is performed here on a fresh signed journal.
@Suite struct TrustTests {
    static let adminKey = AccessTests.adminKey
    static let clerkKey = AccessTests.clerkKey

    /// The seeded journal signed by 王会计 with a clerk, pinned in its own trust directory.
    static func pinnedStore() throws -> (store: JournalStore, dir: String) {
        var store = try AccessTests.signedStore()
        let dir = (store.path as NSString).deletingLastPathComponent
        store.trustDirectory = dir + "/trust"
        store.signer = clerkKey
        for i in 1...3 { try #require(store.post([disbursement("D\(i)", amount: "100.00")]).appended.count == 1) }
        return (store, dir)
    }

    /// The journal's lines, and the RFC 9162 root of its first n, computed from them here.
    static func naiveRoot(_ path: String, lines n: Int? = nil) -> SHA256.Digest {
        let lines = readLines(path).dropLast().prefix(n ?? .max).map { Array($0.utf8) }
        return MerkleTests.mth(ArraySlice(lines))
    }

    static func damaged(_ body: () throws -> Void) -> String? {
        do { try body() } catch let e as JournalError { if case .damaged = e { return e.description }; return nil } catch { return nil }
        return nil
    }

    @Test func treeFileFollowsPostsAndVerifyRebuildsIt() throws {
        let (store, dir) = try Self.pinnedStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t = try #require(SideFile.read(store.treePath).flatMap(TreeFile.decode))
        let lines = readLines(store.path).count - 1
        #expect(t.frontier.size == lines)
        #expect(t.frontier.root == Self.naiveRoot(store.path))
        let r = try store.verify(checkpoints: [])
        #expect(r.treeRoot == Self.naiveRoot(store.path))
        #expect(r.notes.contains { $0.contains("Merkle tree file at event \(lines) agrees") })
        // A tree file whose frontier was changed is damage, named.
        var bad = t
        bad = TreeFile(size: t.size, lastLineStart: t.lastLineStart, head: t.head,
                       frontier: MerkleFrontier(size: t.frontier.size, nodes: t.frontier.nodes.map { SHA256.hash($0.bytes) }, blockLevel: t.frontier.blockLevel,
                                                blocks: t.frontier.blocks, blockStarts: t.frontier.blockStarts))
        try SideFile.write(store.treePath, bad.encode(), ops: .system)
        #expect(Self.damaged { _ = try store.verify(checkpoints: []) }?.contains("fledger-tree") == true)
        // Removed, it is rebuilt by the next post; verify then agrees again.
        SideFile.remove(store.treePath)
        try #require(store.post([disbursement("D9", amount: "1.00")]).appended.count == 1)
        #expect(SideFile.read(store.treePath).flatMap(TreeFile.decode)?.frontier.root == Self.naiveRoot(store.path))
        _ = try store.verify(checkpoints: [])
    }

    /// Blocks of 1,024 lines: a journal of 2,100 events, proofs of events in every block, each
    /// checked against a checkpoint; the tree file equals the tree of its lines.
    @Test func proofsInALargerJournal() throws {
        var store = try seededStore()
        let dir = (store.path as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: dir) }
        store.trustDirectory = dir + "/trust"
        let rows = (1...2_100).map { i in d(["type": "appropriation", "id": "B\(i)", "date": "2023-01-01", "fund": "gpb", "item": "2010350",
                                             "nature": "basic", "amount": "1.00", "doc": "d", "actor": "王会计"]) }
        try #require(store.post(rows).appended.count == 2_100)
        let t = try #require(SideFile.read(store.treePath).flatMap(TreeFile.decode))
        #expect(t.frontier.blocks.count == 2 && t.frontier.root == Self.naiveRoot(store.path))
        let (cp, _) = try store.checkpoint(signer: Self.adminKey)
        for id in ["U1", "A2", "B1", "B1021", "B1500", "B2048", "B2100"] {
            let p = try #require(try store.proveInclusion(of: EventID(rawValue: id)!, in: cp, checkpointFile: "cp"))
            try p.check(against: cp)
            #expect(p.event?.id.rawValue == id)
        }
        // An older checkpoint's root, computed from the first 1,500 lines here, is what a proof against it uses.
        let older = SignedCheckpoint(origin: cp.origin, head: TreeHeadAt(size: 1_500, root: Self.naiveRoot(store.path, lines: 1_500), chainHead: .zero))
        let c = try store.proveConsistency(from: (older, "older"), to: nil)
        try c.check(against: [older, cp])
        let p = try #require(try store.proveInclusion(of: EventID(rawValue: "B1000")!, in: older, checkpointFile: "older"))
        try p.check(against: older)
    }

    /// Proofs round-trip through their text; one byte changed anywhere that matters, or a
    /// checkpoint of another journal, fails with a reason.
    @Test func proofsFailWhenAlteredOrAgainstAnotherJournal() throws {
        let (store, dir) = try Self.pinnedStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (cp, _) = try store.checkpoint(signer: Self.adminKey)
        let parsedCP = try SignedCheckpoint.parse(cp.serialized)
        #expect(parsedCP == cp)
        #expect(parsedCP.note.check(keys: [NoteKey(name: "王会计", publicKey: Self.adminKey.publicKey)]).map(\.status) == [.verified])
        let proof = try #require(try store.proveInclusion(of: EventID(rawValue: "D2")!, in: cp, checkpointFile: "cp"))
        let text = proof.text
        try InclusionProof.parse(text).check(against: cp)
        // Every byte of the line, and one of each hash, changed: the proof fails (to parse, or to check).
        let bytes = Array(text.utf8)
        let lineRange = text.range(of: "line ")!
        let start = text.utf8.distance(from: text.startIndex, to: lineRange.upperBound)
        var failures = 0, tried = 0
        for i in start..<(start + proof.line.count) where bytes[i] != 0x22 {   // a quote would split the line differently; still must fail
            var b = bytes
            b[i] = b[i] == 0x30 ? 0x31 : 0x30
            tried += 1
            do { try InclusionProof.parse(String(decoding: b, as: UTF8.self)).check(against: cp) } catch { failures += 1 }
        }
        #expect(failures == tried && tried > 100)
        for field in ["path ", "root "] {
            let r = text.range(of: field)!
            var b = bytes
            let i = text.utf8.distance(from: text.startIndex, to: r.upperBound) + 3
            b[i] = b[i] == 0x41 ? 0x42 : 0x41
            #expect(throws: TrustFileError.self) { try InclusionProof.parse(String(decoding: b, as: UTF8.self)).check(against: cp) }
        }
        // A checkpoint whose text was changed no longer verifies with the signer's key.
        let forged = try SignedCheckpoint.parse(cp.serialized.replacingOccurrences(of: "\n\(cp.head.size)\n", with: "\n\(cp.head.size - 1)\n"))
        #expect(forged.note.check(keys: [NoteKey(name: "王会计", publicKey: Self.adminKey.publicKey)]).map(\.status) == [.bad])
        // Another journal (another unit) of the same shape: its checkpoint is refused with the reason.
        let other = JournalStore(path: dir + "/other.jsonl", catalogue: catalogue, clock: testClock)
        _ = try other.initialise(d(["unit": "505002", "name": "另一单位", "date": "2023-01-01", "actor": "王会计", "id": "U1"])).get()
        let (otherCP, _) = try other.checkpoint(signer: Self.adminKey)
        do { try proof.check(against: otherCP); Issue.record("accepted another journal's checkpoint") } catch {
            #expect(error.description.contains("another unit's or another journal's"))
        }
        #expect(Self.damaged { _ = try store.verify(checkpoints: [(otherCP, "other.cp")]) }?.contains("another journal") == true)
    }

    /// Attack 1 of the issue: the whole history re-keyed by someone who holds no key (the same
    /// unit line, another admin key from the start, every write re-signed). The pin names it.
    @Test func rekeyedHistoryIsCaughtByThePin() throws {
        let (store, dir) = try Self.pinnedStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try store.verify(checkpoints: [])   // pinned
        // The attacker's journal: the same seed, their own keys for the same names.
        let evilDir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: evilDir) }
        var evil = try seededStore(evilDir)
        let evilAdmin = SigningKey(actor: "王会计", seed: [UInt8](repeating: 7, count: 32))
        let evilClerk = SigningKey(actor: "李出纳", seed: [UInt8](repeating: 8, count: 32))
        evil.signer = evilAdmin
        try #require(evil.post([AccessTests.actorAdd(evilAdmin, roles: "admin", by: "王会计")]).appended.count == 1)
        try #require(evil.post([AccessTests.actorAdd(evilClerk, roles: "clerk", by: "王会计")]).appended.count == 1)
        evil.signer = evilClerk
        try #require(evil.post([disbursement("D1", amount: "99999.00")]).appended.count == 1)
        _ = try evil.verify()   // on its own, it verifies
        for suffix in ["", ".fledger-head", ".fledger-checkpoint", ".fledger-tree"] {
            try? FileManager.default.removeItem(atPath: store.path + suffix)
            try? FileManager.default.copyItem(atPath: evil.path + suffix, toPath: store.path + suffix)
        }
        let why = Self.damaged { _ = try store.verify(checkpoints: []) }
        #expect(why?.contains("pinned in \(dir)/trust/") == true && why?.contains("re-keyed") == true, "\(why ?? "verify passed")")
        // Every reader (budget, show, log, trace) checks the pinned line before reading a figure.
        let read = Self.damaged { _ = try store.checkBeforeReading() }
        #expect(read?.contains("pinned in \(dir)/trust/") == true, "\(read ?? "read without a word")")
        // And the attacker's next post into it is refused before anything is written.
        var s = store
        s.signer = evilClerk
        let before = readLines(store.path)
        #expect(Self.damaged { _ = try s.post([disbursement("D7", amount: "1.00")]) } != nil)
        #expect(readLines(store.path) == before)
        // Changing the pin on purpose needs an active admin's key of the journal as it stands;
        // the old admin's key is not one any more; then the pin follows and verify passes.
        #expect(throws: TrustFileError.self) { _ = try store.rotateTrust(keys: [Self.adminKey]) }
        #expect(throws: TrustFileError.self) { _ = try store.rotateTrust(keys: [evilClerk]) }
        let (old, new, _) = try store.rotateTrust(keys: [evilAdmin])
        #expect(old?.root.admin?.publicKey == Self.adminKey.publicKey && new.root.admin?.publicKey == evilAdmin.publicKey)
        #expect(try store.trustPin()?.pin.rotation.map(\.name) == ["王会计"])
        _ = try store.verify(checkpoints: [])
    }

    /// Attack 2: the tail cut (an admin's last writes) and the head file rewritten to match;
    /// and cut back to before signing began (a downgrade). The pin names both.
    @Test func cutTailAndDowngradeAreCaughtByThePin() throws {
        let (store, dir) = try Self.pinnedStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try store.verify(checkpoints: [])
        let lines = readLines(store.path).dropLast()
        for keep in [lines.count - 2, 3] {
            writeLines(store.path, Array(lines.prefix(keep)) + [""])
            let last = Array(lines[keep - 1].utf8)
            try SideFile.write(store.path + ".fledger-head", Array("\(keep) \(SHA256.hash(last).hex)\n".utf8), ops: .system)
            for f in [".fledger-checkpoint", ".fledger-tree", ".fledger-projection"] { SideFile.remove(store.path + f) }
            let why = Self.damaged { _ = try store.verify(checkpoints: []) }
            #expect(why?.contains("pinned in") == true, "\(keep) lines: \(why ?? "verify passed")")
            if keep == 3 { #expect(why?.contains("unsigned, but it signed from event") == true, "\(why ?? "")") }
            else { #expect(why?.contains("removed from its end") == true, "\(why ?? "")") }
            let read = Self.damaged { _ = try store.checkBeforeReading() }
            #expect(read?.contains("pinned in") == true, "\(keep) lines, a reader: \(read ?? "read without a word")")
            var s = store
            s.signer = Self.clerkKey
            #expect(Self.damaged { _ = try s.post([disbursement("D8", amount: "1.00")]) } != nil)
        }
    }

    /// Repair led to cut what the pin saw: the last write's signature spoiled, the head file
    /// removed and a pending marker bound to the line before that write planted. Nothing in the
    /// journal's directory then stops `repair`; the pin, kept outside it, does.
    @Test func repairNeverRemovesThePinnedLine() throws {
        let (store, dir) = try Self.pinnedStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try store.verify(checkpoints: [])
        var lines = Array(readLines(store.path).dropLast())
        let sig = lines.count - 1, write = lines.count - 2   // D3 and its signature
        let hex = try #require(lines[sig].range(of: #""sig":""#))
        let at = lines[sig].index(hex.upperBound, offsetBy: 10)
        lines[sig].replaceSubrange(at...at, with: lines[sig][at] == "0" ? "1" : "0")
        writeLines(store.path, lines + [""])
        SideFile.remove(store.path + ".fledger-head")
        let base = lines.prefix(write).reduce(0) { $0 + $1.utf8.count + 1 }
        let marker = JournalStore.pendingText(base: base, final: -1, head: .zero, before: SHA256.hash(Array(lines[write - 1].utf8)))
        _ = FileManager.default.createFile(atPath: store.path + ".fledger-pending", contents: Data(marker))
        let before = FileManager.default.contents(atPath: store.path)
        let why = Self.damaged { _ = try store.repair() }
        #expect(why?.contains("pinned in \(dir)/trust/") == true, "\(why ?? "repair cut the pinned write")")
        #expect(FileManager.default.contents(atPath: store.path) == before)
    }

    /// The trust root carries the journal's admin threshold (declared when signing began), and
    /// a rotation of the pin needs that many distinct admins' keys.
    @Test func theRootCarriesTheThresholdAndRotationNeedsIt() throws {
        var store = try seededStore()
        let dir = (store.path as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: dir) }
        store.trustDirectory = dir + "/trust"
        let admin = AccessTests.as_(store, Self.adminKey)
        var declare = AccessTests.actorAdd(Self.adminKey, roles: "admin", by: "王会计")
        declare.fields["threshold"] = "2"
        try #require(admin.post([declare]).appended.count == 1)
        let second = SigningKey(actor: "赵主任", seed: [UInt8](repeating: 23, count: 32))
        try #require(admin.post([AccessTests.actorAdd(second, roles: "admin", by: "王会计")]).appended.count == 1)
        let report = try store.verify(checkpoints: [])
        #expect(report.trustRoot?.threshold == 2)
        #expect(try store.trustPin()?.pin.root.threshold == 2)
        #expect(throws: TrustFileError.self) { _ = try store.rotateTrust(keys: [Self.adminKey]) }
        let (_, rotated, _) = try store.rotateTrust(keys: [Self.adminKey, second])
        #expect(Set(rotated.rotation.map(\.name)) == ["王会计", "赵主任"])
    }

    /// A checkpoint held by someone else catches a rewrite made after it, even in an unsigned
    /// journal (no pin) whose chain was recomputed.
    @Test func checkpointCatchesARewrittenUnsignedJournal() throws {
        let store = try seededStore()
        let dir = (store.path as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try store.post([disbursement("D1", amount: "100.00"), disbursement("D2", amount: "200.00")])
        let (cp, _) = try store.checkpoint(signer: Self.adminKey)
        _ = try store.verify(checkpoints: [(cp, "held.cp")])
        // Rewrite D1's amount and recompute the chain, as someone who can write the file can.
        var events = try store.events()
        guard case .disbursement(var dis) = events[3].body else { Issue.record("line 4 is not D1"); return }
        dis.amount = Fen(1)
        events[3].body = .disbursement(dis)
        var prev = SHA256.Digest.zero
        var out: [String] = []
        for e in events { let l = EventCodec.encode(e, prev: prev); prev = SHA256.hash(l); out.append(String(decoding: l, as: UTF8.self)) }
        writeLines(store.path, out + [""])
        for f in [".fledger-checkpoint", ".fledger-tree", ".fledger-projection"] { SideFile.remove(store.path + f) }
        try SideFile.write(store.path + ".fledger-head", Array("\(out.count) \(prev.hex)\n".utf8), ops: .system)
        _ = try store.verify()   // the journal alone verifies
        let why = Self.damaged { _ = try store.verify(checkpoints: [(cp, "held.cp")]) }
        #expect(why?.contains("does not extend the checkpoint held.cp") == true, "\(why ?? "verify passed")")
    }

    /// The trust export round-trips and `verify --trust` checks the journal against it.
    @Test func trustExportRoundTrip() throws {
        let (store, dir) = try Self.pinnedStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let e = try store.trustExport(signer: Self.adminKey)
        let parsed = try TrustExport.parse(e.text)
        #expect(parsed == e)
        #expect(parsed.root.admin?.publicKey == Self.adminKey.publicKey && parsed.root.signingFrom == 4)
        let r = try store.verify(checkpoints: [], trust: (parsed, "t"))
        #expect(r.trust.contains { $0.contains("matches the trust root exported in t") })
        // An export naming another admin key is damage.
        var wrong = parsed
        wrong.root.admin?.publicKey = AccessTests.strangerKey.publicKey
        #expect(Self.damaged { _ = try store.verify(checkpoints: [], trust: (wrong, "t")) }?.contains("trust root differs") == true)
    }

    /// `close` leaves a checkpoint of the closed year signed by the closing admin; the document
    /// names it in its note, and a checkpoint that does not describe the books is damage.
    @Test func closeLeavesACheckpointTheDocumentNames() throws {
        var (store, dir) = try Self.pinnedStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        store.signer = Self.adminKey
        #expect(try store.close(CloseRequest(year: 2023, actor: "王会计")).appended.count >= 1)
        let cp = try #require(store.closeCheckpoint(year: 2023))
        let lines = readLines(store.path).count - 1
        #expect(cp.head.size == lines && cp.head.root == Self.naiveRoot(store.path))
        #expect(cp.note.check(keys: [NoteKey(name: "王会计", publicKey: Self.adminKey.publicKey)]).map(\.status) == [.verified])
        _ = try store.verify(checkpoints: [(cp, "close")])
        let doc = try Reconciler.document(store, year: 2023)
        #expect(doc.booksNote?.contains("截至第\(lines)条记录") == true && doc.booksNote?.contains(cp.head.root.base64) == true, "\(doc.booksNote ?? "no note")")
        // A checkpoint of other books beside the journal: the document refuses it.
        let other = SignedCheckpoint(origin: cp.origin, head: TreeHeadAt(size: cp.head.size, root: SHA256.hash([1]), chainHead: cp.head.chainHead))
        var signed = other
        signed.sign(with: Self.adminKey)
        try SideFile.write(store.closeCheckpointPath(year: 2023), Array(signed.serialized.utf8), ops: .system)
        #expect(throws: JournalError.self) { _ = try Reconciler.document(store, year: 2023) }
        // An unsigned journal's close leaves none (and the document says nothing of it).
        let plain = try seededStore()
        defer { try? FileManager.default.removeItem(atPath: (plain.path as NSString).deletingLastPathComponent) }
        _ = try plain.close(CloseRequest(year: 2023, actor: "王会计"))
        #expect(plain.closeCheckpoint(year: 2023) == nil)
        #expect(try Reconciler.document(plain, year: 2023).booksNote == nil)
    }
}
