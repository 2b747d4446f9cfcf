import Foundation
import Glibc
import Testing
@testable import Ledger
@testable import Reconcile

/// Every file a command writes for the user (an export, a saved proof, a report) goes through
/// `DurableFile` and `FileOps`: with each write, fsync and rename failing in turn, the file at
/// the destination is the old one or the whole new one, and no temporary or spool file is left.
@Suite struct DurableFileTests {
    static func leftovers(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(".tmp-") || $0.contains(".fledger-body") }
    }

    /// Runs `write` with the n-th file operation failing, n = 1, 2, … until it needs no more;
    /// returns how many operations the write makes.
    static func everyFailure(in dir: String, destination: String, expected: [UInt8], error: Int32,
                             _ write: (FileOps) throws -> Void) throws -> Int {
        let old = Array("the old file\n".utf8)
        var n = 1
        while true {
            _ = FileManager.default.createFile(atPath: destination, contents: Data(old))
            let counter = FileOps.Counter()
            var failed = false
            do { try write(.failing(call: n, error: error, calls: counter)) } catch { failed = true }
            let now = FileManager.default.contents(atPath: destination).map(Array.init) ?? []
            if failed {
                // The rename is the last step that can leave the old file; after it, the new one is whole.
                #expect(now == old || now == expected, "call \(n) failing left \(now.count) bytes")
            } else {
                #expect(now == expected, "call \(n)")
            }
            #expect(leftovers(dir).isEmpty, "call \(n) left \(leftovers(dir))")
            if counter.count < n { #expect(!failed); return n - 1 }
            n += 1
        }
    }

    @Test(arguments: [ENOSPC, EIO])
    func anExportToAFile(_ error: Int32) throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try seededStore(dir)
        try mustPost(store, (1...40).map { disbursement("D\($0)", amount: "1.00") })
        let export = Export(format: .hledger)
        let expected = Array((export.document(try store.events()).joined(separator: "\n") + "\n").utf8)
        let calls = try Self.everyFailure(in: dir, destination: dir + "/out.hledger", expected: expected, error: error) { ops in
            try export.write(store, toFile: dir + "/out.hledger", ops: ops)
        }
        #expect(calls >= 6)   // the spool's write, the file's two writes (preamble, spool), its fsync, the rename, the directory
    }

    @Test func anExportThroughASink() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try seededStore(dir)
        let export = Export(format: .csv)
        var got: [UInt8] = []
        #expect(try export.write(store, spoolDirectory: dir) { got.append(contentsOf: $0); return nil } == nil)
        #expect(got == Array((export.document(try store.events()).joined(separator: "\n") + "\n").utf8))
        // A sink that fails is not called again, and says why.
        var calls = 0
        #expect(try export.write(store, spoolDirectory: dir) { _ in calls += 1; return "closed pipe" } == "closed pipe")
        #expect(calls == 1)
        // A spool that cannot be written fails the export before anything is delivered.
        var delivered = false
        #expect(throws: JournalError.self) {
            _ = try export.write(store, spoolDirectory: dir, ops: .failing(call: 1, error: ENOSPC, calls: FileOps.Counter())) { _ in delivered = true; return nil }
        }
        #expect(!delivered && Self.leftovers(dir).isEmpty)
    }

    @Test func aSavedProof() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try seededStore(dir)
        let (_, r) = try Reconciler.reconcile(store, year: 2023)
        let proof = Proof(r)
        let calls = try Self.everyFailure(in: dir, destination: dir + "/proof.json", expected: Array(proof.json().utf8), error: ENOSPC) { ops in
            try proof.save(to: dir + "/proof.json", ops: ops)
        }
        #expect(calls == 4)   // write, fsync, rename, the directory's fsync
        #expect(Proof.decode(FileManager.default.contents(atPath: dir + "/proof.json")!)?.head == r.head.hex)
    }

    @Test func aFileCommittedOrAbandoned() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/report.html"
        let f = try DurableFile(path: path)
        try f.write(Array("<p>".utf8))
        #expect(!FileManager.default.fileExists(atPath: path), "nothing is in place before the commit")
        f.abandon()
        #expect(!FileManager.default.fileExists(atPath: path) && Self.leftovers(dir).isEmpty)
        try DurableFile.write(Array("<p>ok</p>".utf8), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("<p>ok</p>".utf8))
        #expect(throws: JournalError.self) { try DurableFile.write([1], to: dir + "/no/such/dir/f") }
    }
}
