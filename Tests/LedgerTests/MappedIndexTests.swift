import Foundation
import Testing
@testable import Ledger

/// The checkpoint's id index read in place (mapped), block by block: it finds what the whole
/// index finds, and a damaged block never hides an id (the post starts again from a full replay).
@Suite struct MappedIndexTests {
    /// A journal of 1,203 events with a checkpoint after the last post (several index blocks).
    static func store() throws -> JournalStore {
        var store = try seededStore()
        store.checkpointEvery = 1
        let drafts = (1...1200).map { disbursement("M\($0)", amount: "1.00") }
        guard case .committed = try store.post(drafts) else { throw Failure() }
        return store
    }
    struct Failure: Error {}

    @Test func theMappedIndexFindsWhatTheWholeOneFinds() throws {
        let store = try Self.store()
        let path = store.path + ".fledger-checkpoint"
        let mapped = try #require(Checkpoint.load(path: path))
        let whole = try #require(Checkpoint.decode(Array(FileManager.default.contents(atPath: path)!)))
        #expect(mapped.state.index.sorted.count == 2 * 1203)
        #expect(mapped.state.index.sorted.all == whole.state.index.sorted.all)
        for k in [1, 7, 600, 1200] {
            let id = EventID(rawValue: "M\(k)")!
            #expect(mapped.state.index.candidates(id) == whole.state.index.candidates(id))
            #expect(!mapped.state.index.candidates(id).isEmpty)
        }
        #expect(!mapped.state.index.damaged)
        #expect(mapped.state.sameAs(whole.state))
    }

    @Test func aDamagedBlockNeverHidesAnID() throws {
        let store = try Self.store()
        let path = store.path + ".fledger-checkpoint"
        var bytes = Array(FileManager.default.contents(atPath: path)!)
        // Change one byte in every index block (the words are the file's last 2 × 1203 × 8 bytes).
        let wordsStart = bytes.count - 2 * 1203 * 8
        for at in stride(from: wordsStart + 3, to: bytes.count, by: IndexWords.blockWords * 8) { bytes[at] ^= 0x5a }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let mapped = try #require(Checkpoint.load(path: path), "the body is intact; the blocks are checked as they are read")
        _ = mapped.state.index.candidates(EventID(rawValue: "M600")!)
        #expect(mapped.state.index.damaged)
        #expect(Checkpoint.decode(bytes) == nil, "a whole read checks every block")
        // An existing id with other content is still a conflict, not a new event.
        var again = disbursement("M600", amount: "2.00")
        again.fields["payee"] = "别人"
        #expect(try store.post([again]).rejections.map(\.code) == [.idConflict])
        #expect(store.notices.take().contains { $0.contains("id index was damaged") })
        #expect(try store.post([disbursement("M1201", amount: "1.00")]).appended.count == 1)
        #expect(damagedLine(store) == nil)
    }
}

/// `show`'s story from the checkpoint's indexes equals the story from a scan of the journal,
/// for every event, in a signed journal with decisions and in a random one.
@Suite struct StoryTests {
    static func same(_ a: Trail.History?, _ b: Trail.History?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a.event == b.event && a.corrections.map(\.id) == b.corrections.map(\.id) && a.decisions.map(\.id) == b.decisions.map(\.id)
            && a.signatures.map(\.id) == b.signatures.map(\.id) && a.remaining == b.remaining
    }

    @Test func theIndexedStoryEqualsTheScannedOne() throws {
        var signed = try AccessTests.signedStore()
        signed.checkpointEvery = 3
        let clerk = AccessTests.as_(signed, AccessTests.clerkKey), approver = AccessTests.as_(signed, AccessTests.approverKey)
        _ = try clerk.post([disbursement("D1", amount: "100.00"), disbursement("D2", amount: "50.00")])
        _ = try clerk.post([d(["type": "adjustment", "kind": "reversal", "id": "R1", "target": "D1", "amount": "10.00", "date": "2023-03-01", "actor": "李出纳"])])
        _ = try clerk.post([d(["type": "adjustment", "kind": "reversal", "id": "R2", "target": "D1", "amount": "5.00", "date": "2023-03-02", "actor": "李出纳"])])
        _ = try approver.post([d(["type": "approval", "target": "R1", "actor": "张审核"])])
        _ = try approver.post([d(["type": "rejection", "target": "R2", "reason": "重复", "actor": "张审核"])])
        _ = try clerk.post([d(["type": "adjustment", "kind": "reclassification", "id": "C1", "target": "D2", "econ": "30202", "date": "2023-03-03", "actor": "李出纳"])])
        var random = try randomJournal(seed: 11, events: 400)
        random.checkpointEvery = 50
        _ = try random.post([d(["type": "year_open", "year": "2030", "actor": "x"])])   // a post after the journal is built writes a checkpoint
        for store in [signed, random] {
            #expect(FileManager.default.fileExists(atPath: store.path + ".fledger-checkpoint"))
            // The story comes from the indexes (a checkpoint fits), not from the scan it is compared with.
            #expect(try store.load(JournalFile(path: store.path, access: .read), canClearPending: false, fullReplay: false) != nil)
            var n = 0
            for e in try store.events() {
                let indexed = try store.story(of: e.id), scanned = try store.scannedStory(of: e.id)
                #expect(Self.same(indexed, scanned), "\(e.id)")
                n += indexed?.corrections.count ?? 0
            }
            #expect(n > 0, "some events have corrections")
            #expect(try store.story(of: EventID(rawValue: "NOPE")!) == nil)
        }
        let d1 = try #require(try signed.story(of: EventID(rawValue: "D1")!))
        #expect(d1.corrections.map(\.id.rawValue) == ["R1", "R2"])
        #expect(d1.decisions.count == 2 && d1.signatures.count == 5)   // the writes of D1, R1, R2 and the two decisions
        #expect(d1.remaining == Fen(9_000))
    }
}
