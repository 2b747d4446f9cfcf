import Foundation
import Testing
@testable import Ledger

@Suite struct JournalTests {
    /// A journal of 12 events to damage.
    func twelve() throws -> JournalStore {
        let store = try seededStore()
        let drafts = (1...9).map { disbursement("D\($0)", amount: "\($0)00.00") }
        #expect(try store.post(drafts).appended.count == 9)
        #expect(damagedLine(store) == nil)
        return store
    }

    @Test func verifiesAndNamesTheHead() throws {
        let store = try twelve()
        let r = try store.verify()
        #expect(r.events == 12)
        let lines = readLines(store.path)
        #expect(r.head == SHA256.hash(Array(lines[11].utf8)))
    }

    @Test func flippedByteIsReportedAtItsLine() throws {
        let store = try twelve()
        var lines = readLines(store.path)
        lines[6] = lines[6].replacingOccurrences(of: "\"amount\":40000", with: "\"amount\":90000")  // line 7
        writeLines(store.path, lines)
        #expect(damagedLine(store) == 7)
    }

    @Test func flippedByteThatBreaksTheSyntax() throws {
        let store = try twelve()
        var bytes = Array(FileManager.default.contents(atPath: store.path)!)
        let lineStarts = [0] + bytes.indices.filter { bytes[$0] == 0x0a }.map { $0 + 1 }
        bytes[lineStarts[4] + 3] ^= 0x20  // inside line 5's first key
        _ = FileManager.default.createFile(atPath: store.path, contents: Data(bytes))
        #expect(damagedLine(store) == 5)
    }

    @Test func deletedLine() throws {
        let store = try twelve()
        var lines = readLines(store.path)
        lines.remove(at: 5)  // line 6 gone; the old line 7 is now line 6
        writeLines(store.path, lines)
        #expect(damagedLine(store) == 6)
    }

    @Test func deletedLastLineIsCaughtByTheHeadFile() throws {
        let store = try twelve()
        var lines = readLines(store.path)
        lines.remove(at: 11)
        writeLines(store.path, lines)
        #expect(damagedLine(store) == 12)
    }

    @Test func duplicatedLine() throws {
        let store = try twelve()
        var lines = readLines(store.path)
        lines.insert(lines[4], at: 5)
        writeLines(store.path, lines)
        #expect(damagedLine(store) == 6)
    }

    @Test func swappedLines() throws {
        let store = try twelve()
        var lines = readLines(store.path)
        lines.swapAt(7, 8)
        writeLines(store.path, lines)
        #expect(damagedLine(store) == 8)
    }

    @Test func insertedLine() throws {
        let store = try twelve()
        var lines = readLines(store.path)
        lines.insert(lines[2].replacingOccurrences(of: "\"seq\":3", with: "\"seq\":4"), at: 3)  // a forged line 4
        writeLines(store.path, lines)
        #expect(damagedLine(store) == 4)
    }

    /// A forger who inserts a line and recomputes its prev is still caught: the next line skips it.
    @Test func insertedLineWithAValidPrev() throws {
        let store = try twelve()
        var lines = readLines(store.path)
        let forged = EventCodec.encode(Event(seq: 4, id: EventID(rawValue: "FORGED")!, date: CivilDate("2023-02-01")!,
                                             recorded: testClock.now(), actor: "x", memo: "",
                                             body: .yearOpen(YearOpening(year: 2030))),
                                       prev: SHA256.hash(Array(lines[2].utf8)))
        lines.insert(String(decoding: forged, as: UTF8.self), at: 3)
        writeLines(store.path, lines)
        #expect(damagedLine(store) == 4)
    }

    @Test func cutLastLineIsReportedAndRepaired() throws {
        let store = try twelve()
        var bytes = Array(FileManager.default.contents(atPath: store.path)!)
        bytes.removeLast(40)
        _ = FileManager.default.createFile(atPath: store.path, contents: Data(bytes))
        #expect(damagedLine(store) == 12)
        // Posting refuses to build on it, naming the same line (from the checkpoint's tail replay).
        #expect { try store.post([disbursement("D99", amount: "1.00")]) } throws: { error in
            guard case JournalError.damaged(_, let line, _) = error else { return false }
            return line == 12
        }
        let r = try store.repair()
        #expect(r.removedBytes > 0)
        let saved = try #require(r.savedTo)
        #expect(FileManager.default.contents(atPath: saved)!.count == r.removedBytes)
        // The removed line had been acknowledged as event 12, so verify says so rather than pretend.
        #expect(damagedLine(store) == 12)
        try FileManager.default.removeItem(atPath: store.path + ".fledger-head")
        #expect(damagedLine(store) == nil)
        #expect(try store.verify().events == 11)
    }

    @Test func repairLeavesACleanJournalAlone() throws {
        let store = try twelve()
        let before = FileManager.default.contents(atPath: store.path)
        #expect(try store.repair().removedBytes == 0)
        #expect(FileManager.default.contents(atPath: store.path) == before)
    }

    @Test func interruptedBatchIsRolledBackOnlyByRepair() throws {
        let store = try twelve()
        let before = FileManager.default.contents(atPath: store.path)!
        // Simulate a crash in the middle of a 2-line batch: marker written, half the bytes appended.
        let size = before.count
        let lastLine = readLines(store.path).filter { !$0.isEmpty }.last!
        _ = FileManager.default.createFile(atPath: store.path + ".fledger-pending",
                                           contents: Data(JournalStore.pendingText(base: size, final: size + 600, head: SHA256.Digest(hex: String(repeating: "a", count: 64))!,
                                                                                   before: SHA256.hash(Array(lastLine.utf8)))))
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: store.path))
        h.seekToEndOfFile(); h.write(Data(readLines(store.path)[3].utf8 + [0x0a])); h.closeFile()
        #expect(throws: JournalError.self) { try store.post([disbursement("D99", amount: "1.00")]) }
        #expect(throws: JournalError.self) { try store.verify() }
        _ = try store.repair()
        #expect(FileManager.default.contents(atPath: store.path) == before)
        #expect(try store.post([disbursement("D99", amount: "1.00")]).appended.count == 1)
    }

    @Test func importIsAtomic() throws {
        let store = try seededStore()
        let r = try store.post([disbursement("D1", amount: "1.00"), disbursement("D2", amount: "1.001"), disbursement("D3", amount: "x")])
        guard case .rejected(let list) = r else { Issue.record("accepted"); return }
        #expect(list.map(\.index) == [1, 2])
        #expect(try store.events().count == 3)
    }

    /// A post that starts from the checkpoint sees the same state as a full replay.
    @Test func checkpointEqualsFullReplay() throws {
        let dir = tempDir()
        var store = try seededStore(dir)
        store.checkpointEvery = 5
        var r = SeededRandom(seed: 7)
        for i in 0..<40 {
            let amount = "\(1 + r.below(5000)).\(r.below(10))0"
            let draft = r.below(4) == 0 && i > 0
                ? Draft(fields: ["type": "adjustment", "kind": "reversal", "target": "D\(r.below(i))", "id": "R\(i)", "amount": "0.10", "date": "2023-06-01", "actor": "x"])
                : disbursement("D\(i)", amount: amount, econ: r.pick(["30101", "30201"]))
            _ = try store.post([draft])
        }
        let file = try JournalFile(path: store.path, access: .read)
        let fromCheckpoint = try store.load(file, canClearPending: false)
        #expect(!fromCheckpoint.fullReplay)
        try FileManager.default.removeItem(atPath: store.path + ".fledger-checkpoint")
        let full = try store.load(file, canClearPending: false)
        #expect(full.fullReplay)
        #expect(fromCheckpoint.state.sameAs(full.state))
        #expect(fromCheckpoint.head == full.head)
    }

    @Test func tamperedCheckpointIsCaughtByVerify() throws {
        let store = try twelve()
        let path = store.path + ".fledger-checkpoint"
        var cp = try #require(Checkpoint.decode(Array(FileManager.default.contents(atPath: path)!)))
        let line = try #require(cp.state.balances.keys.first)
        cp.state.balances[line]!.actual.raw -= 100
        _ = FileManager.default.createFile(atPath: path, contents: Data(cp.encode()))
        #expect(damagedLine(store) == 0)
    }

    @Test func readsRowsWithLineNumbers() {
        let csv = "type,id,amount,memo\ndisbursement,D1,1.00,\"a, \"\"quoted\"\"\nmemo\"\ndisbursement,D2,2.00\n"
        let (rows, errors) = ImportRows.parse(csv, format: .csv)
        #expect(rows.map(\.line) == [2])
        #expect(rows.first?.draft["memo"] == "a, \"quoted\"\nmemo")
        #expect(errors.map(\.line) == [4])
        let (jrows, jerrors) = ImportRows.parse("{\"type\":\"x\",\"amount\":1.50}\n\nnot json\n", format: .jsonl)
        #expect(jrows.first?.draft["amount"] == "1.50")
        #expect(jerrors.map(\.line) == [3])
    }
}
