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
