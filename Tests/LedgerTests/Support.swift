import Foundation
@testable import Ledger

/// A fresh directory per test, removed at the end of the process's life is not needed: /tmp.
func tempDir() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-test-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

let testClock = Clock.fixed(Timestamp("2024-01-05T08:30:00Z")!)
let catalogue = try! Catalogue.builtIn()

func d(_ fields: [String: String]) -> Draft { Draft(fields: fields) }

/// A journal with a unit, fiscal year 2023, and one 基本 and one project appropriation.
func seededStore(_ dir: String = tempDir()) throws -> JournalStore {
    let store = JournalStore(path: dir + "/j.jsonl", catalogue: catalogue, clock: testClock)
    _ = try store.initialise(d(["unit": "505001", "name": "泸州市政务服务和公共资源交易中心", "date": "2023-01-01", "actor": "王会计", "id": "U1"])).get()
    let r = try store.post([
        d(["type": "appropriation", "id": "A1", "date": "2023-01-01", "fund": "gpb", "item": "2010350", "nature": "basic",
           "amount": "467.42万", "doc": "泸财预〔2023〕1号", "actor": "王会计"]),
        d(["type": "appropriation", "id": "A2", "date": "2023-01-01", "fund": "gpb", "item": "2010399", "nature": "project",
           "project": "51050023T000008267900", "amount": "198000.00", "doc": "泸财预〔2023〕2号", "actor": "王会计"]),
    ])
    guard case .committed = r else { fatalError("seed rejected: \(r)") }
    return store
}

func disbursement(_ id: String, amount: String, econ: String = "30101", date: String = "2023-02-01",
                  item: String = "2010350", override: String? = nil) -> Draft {
    var f = ["type": "disbursement", "id": id, "date": date, "fund": "gpb", "item": item, "econ": econ, "nature": "basic",
             "amount": amount, "payee": "职工工资", "voucher": "记-02-0001", "actor": "李出纳"]
    f["override"] = override
    return d(f)
}

extension JournalStore.BatchResult {
    var rejections: [Rejection] {
        if case .rejected(let l) = self { return l.map(\.rejection) }
        return []
    }
    var appended: [Event] {
        guard case .committed(let r) = self else { return [] }
        return r.compactMap { if case .appended(let e) = $0 { return e }; return nil }
    }
    var duplicates: [Event] {
        guard case .committed(let r) = self else { return [] }
        return r.compactMap { if case .duplicate(let e) = $0 { return e }; return nil }
    }
}

func readLines(_ path: String) -> [String] {
    String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}

func writeLines(_ path: String, _ lines: [String]) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(lines.joined(separator: "\n").utf8))
}

/// Appends bytes to a file as they are, as a crash mid-write would leave them.
func appendRaw(_ path: String, _ text: String) throws {
    let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    h.seekToEndOfFile()
    h.write(Data(text.utf8))
    try h.close()
}

/// The line a damage error names, or nil when the journal verified.
func damagedLine(_ store: JournalStore) -> Int? {
    do { _ = try store.verify(); return nil } catch {
        if case .damaged(_, let line, _) = error { return line }
        return -1
    }
}
