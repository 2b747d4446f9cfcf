import Foundation
import Glibc
import Testing
@testable import Ledger

/// Every write, fsync, rename and ftruncate goes through `FileOps`: each is made to fail in
/// turn (ENOSPC, EIO), in a post, an import batch, a close and a repair, and the journal must
/// still verify and hold exactly what was acknowledged, with no temporary file left behind.
@Suite struct FaultTests {
    static func ids(_ s: JournalStore) throws -> [String] { try s.events().map(\.id.rawValue) }

    static func leftovers(_ s: JournalStore) -> [String] {
        let dir = (s.path as NSString).deletingLastPathComponent
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(".tmp") }
    }

    /// Runs `action` with the n-th file operation failing, for n = 1, 2, … until it needs no more.
    static func everyFailure(_ make: () throws -> JournalStore, error: Int32, next: ((Int) -> Draft)? = nil,
                             _ action: (JournalStore) throws -> [String]) throws -> Int {
        var n = 1
        while true {
            let store = try make()
            let before = try ids(store)
            var failing = store
            let counter = FileOps.Counter()
            failing.fileOps = .failing(call: n, error: error, calls: counter)
            var acknowledged: [String] = []
            var failed = false
            do { acknowledged = try action(failing) } catch { failed = true }
            // With the disk working again: the journal verifies and holds exactly what was acknowledged.
            #expect(damagedLine(store) == nil, "call \(n) failing left a damaged journal")
            #expect(try ids(store) == before + acknowledged, "call \(n): acknowledged \(acknowledged)")
            #expect(Self.leftovers(store).isEmpty, "call \(n): left \(Self.leftovers(store))")
            // And the next post succeeds.
            let after = next?(n) ?? disbursement("NEXT-\(n)", amount: "1.00")
            #expect(try store.post([after]).appended.count == 1, "call \(n)")
            if counter.count < n { #expect(!failed); return n - 1 }
            n += 1
        }
    }

    @Test(arguments: [ENOSPC, EIO])
    func aPost(_ error: Int32) throws {
        let calls = try Self.everyFailure({ try seededStore() }, error: error) { s in
            try s.post([disbursement("D1", amount: "10.00")]).appended.map(\.id.rawValue)
        }
        #expect(calls >= 5)   // write, fsync, then the head file's write, fsync, rename, directory fsync
    }

    @Test func anImportBatch() throws {
        let calls = try Self.everyFailure({ try seededStore() }, error: ENOSPC) { s in
            try s.post((1...5).map { disbursement("B\($0)", amount: "1.00") }).appended.map(\.id.rawValue)
        }
        #expect(calls >= 8)   // the pending marker too
    }

    /// A batch written as it goes: the marker, each spill, the last write and its fsync, the
    /// cut back after a failure; whichever fails, nothing of the batch is left behind.
    @Test(arguments: [ENOSPC, EIO])
    func aSpilledImportBatch(_ error: Int32) throws {
        let rows = (1...8).map { disbursement("B\($0)", amount: "1.00") }
        let calls = try Self.everyFailure({ var s = try seededStore(); s.spillBytes = 700; return s }, error: error) { s in
            try s.post(streaming: { _ in { take in for r in rows { take(r.request(catalogue: catalogue)) }; return true } }).appended.map(\.id.rawValue)
        }
        #expect(calls >= 10)   // the marker's write, fsync, rename, directory fsync; three spills; the last write and fsync; …
    }

    @Test func aClose() throws {
        let calls = try Self.everyFailure({
            let s = try seededStore()
            try mustPost(s, [disbursement("D1", amount: "10.00")])
            return s
        }, error: ENOSPC, next: { n in
            d(["type": "text", "id": "T\(n)", "date": "2023-12-31", "year": "2023", "key": "reason.total", "text": "x", "actor": "王会计"])
        }) { s in
            try s.close(CloseRequest(year: 2023, actor: "王会计")).appended.map(\.id.rawValue)
        }
        #expect(calls >= 8)
    }

    @Test func aRepair() throws {
        func torn() throws -> JournalStore {
            let s = try seededStore()
            try mustPost(s, [disbursement("D1", amount: "10.00")])
            let fd = open(s.path, O_WRONLY | O_APPEND)
            _ = "{\"seq\":5,\"id\":\"CUT".withCString { write(fd, $0, strlen($0)) }
            close(fd)
            return s
        }
        var n = 1
        while n < 20 {
            let s = try torn()
            let before = Array(readLines(s.path).dropLast())
            var failing = s
            let counter = FileOps.Counter()
            failing.fileOps = .failing(call: n, error: ENOSPC, calls: counter)
            let r = try? failing.repair()
            // Whatever failed, a repair with the disk working leaves the acknowledged lines.
            _ = try s.repair()
            #expect(damagedLine(s) == nil, "call \(n)")
            #expect(Array(readLines(s.path).dropLast()) == before, "call \(n)")
            #expect(Self.leftovers(s).isEmpty, "call \(n)")
            // On a full disk the removed bytes are handed back, not lost.
            if let r, r.savedTo == nil, r.removedBytes > 0 { #expect(String(decoding: r.removed, as: UTF8.self).hasPrefix("{\"seq\":5")) }
            if counter.count < n { break }
            n += 1
        }
        #expect(n >= 3)
    }

    /// A head file or checkpoint that cannot be written is said, not swallowed; the events stand.
    @Test func aSideFileFailureIsANotice() throws {
        let s = try seededStore()
        var failing = s
        let counter = FileOps.Counter()
        failing.fileOps = .failing(call: 3, error: ENOSPC, calls: counter)   // after the append's write and fsync: the head file
        #expect(try failing.post([disbursement("D1", amount: "10.00")]).appended.count == 1)
        let notices = failing.notices.take()
        #expect(notices.contains { $0.contains("head file could not be written") }, "\(notices)")
        #expect(damagedLine(s) == nil)
    }

    /// The end-of-journal reader handles a last line longer than its first window.
    @Test func aLongLastLine() throws {
        let s = try seededStore()
        let memo = String(repeating: "很长的说明", count: 20_000)   // 300 KB
        try mustPost(s, [d(["type": "disbursement", "id": "L1", "date": "2023-02-01", "fund": "gpb", "item": "2010350", "econ": "30101",
                            "nature": "basic", "amount": "1.00", "payee": "x", "voucher": "v", "actor": "x", "memo": memo]),
                         disbursement("L2", amount: "1.00")])   // a batch: its pending marker names the long line's end
        #expect(damagedLine(s) == nil)
        let fd = open(s.path, O_WRONLY | O_APPEND)
        _ = memo.withCString { write(fd, $0, strlen($0)) }   // a cut-short line longer than 1 MiB? no: 300 KB, past the 64 KB window
        close(fd)
        let r = try s.repair()
        #expect(r.removedBytes == memo.utf8.count)
        #expect(damagedLine(s) == nil)
    }

    /// A killed writer's temporary side file is swept by the next write; a live writer's is not.
    @Test func staleTemporaryFilesAreSwept() throws {
        let s = try seededStore()
        let head = s.path + ".fledger-head"
        let dead = head + ".tmp-999999999"          // above any pid_max: no such process
        let live = head + ".tmp-\(getppid())"       // the test runner's parent is alive
        for f in [dead, live] { #expect(FileManager.default.createFile(atPath: f, contents: Data("x".utf8))) }
        try mustPost(s, [disbursement("D1", amount: "1.00")])
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live))
        unlink(live)
    }
}
