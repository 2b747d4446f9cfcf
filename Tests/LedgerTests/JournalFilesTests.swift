import Foundation
import Testing
@testable import Ledger

@Suite struct JournalFilesTests {
    /// Every file the store leaves beside a journal is one `JournalFiles` names, so a list
    /// built from it (init's clean-up, the benchmark's) misses none.
    @Test func everyFileBesideTheJournalIsListed() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var store = try seededStore(dir)
        store.checkpointEvery = 1
        store.snapshotEvery = (minimum: 1, refresh: 1)
        _ = try store.post([disbursement("D1", amount: "100.00")])
        _ = try store.project()
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0 != "j.jsonl" }
        let listed = Set(JournalFiles.allCases.map { "j.jsonl" + $0.suffix })
        #expect(Set(names).isSubset(of: listed), "unlisted: \(Set(names).subtracting(listed))")
        // The derived files this made are there, and removing the listed paths leaves nothing.
        for f in [JournalFiles.checkpoint, .head, .projection] { #expect(names.contains("j.jsonl" + f.suffix), "\(f)") }
        for p in JournalFiles.paths(beside: store.path) { unlink(p) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["j.jsonl"])
        #expect(store.pendingPath == JournalFiles.pending.path(beside: store.path))
    }
}
