import Foundation
import Glibc
import Testing
@testable import Ledger

/// `events(containing:where:)` reads a chunk at a time: across every chunk size, with lines
/// longer than a chunk, it returns exactly what `events().filter` does, and the pre-screen by
/// bytes never drops a match.
@Suite struct StreamedReadTests {
    @Test(arguments: [64, 97, 300, 4096, 8 << 20])
    func sameAsTheWholeRead(_ chunk: Int) throws {
        var s = try seededStore()
        try mustPost(s, (1...20).map { disbursement("S\($0)", amount: "1.00") })
        try mustPost(s, [d(["type": "adjustment", "kind": "reversal", "target": "S3", "amount": "0.50", "date": "2023-03-02", "id": "R3", "actor": "x"]),
                         d(["type": "disbursement", "id": "LONG", "date": "2023-02-01", "fund": "gpb", "item": "2010350", "econ": "30101",
                            "nature": "basic", "amount": "1.00", "payee": "x", "voucher": "v", "actor": "x", "memo": String(repeating: "长", count: 400)])])
        s.readChunk = chunk
        let all = try s.events()
        #expect(try s.events { _ in true }.map(\.seq) == all.map(\.seq))
        let id = EventID(rawValue: "S3")!
        let named = try s.events(containing: Array("\"S3\"".utf8)) { $0.id == id || Trail.target(of: $0) == id }
        #expect(named.map(\.id.rawValue) == ["S3", "R3"])
        #expect(Trail.history(of: id, in: named)?.remaining == Trail.history(of: id, in: all)?.remaining)
        #expect(try s.events(containing: Array("\"S33\"".utf8)) { _ in true }.isEmpty)
        #expect(try s.events { $0.memo.count > 100 }.map(\.id.rawValue) == ["LONG"])
    }

    @Test func aCutShortLastLineIsNamed() throws {
        let s = try seededStore()
        let fd = open(s.path, O_WRONLY | O_APPEND)
        _ = "{\"seq\":9".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        #expect(throws: JournalError.self) { try s.events { _ in true } }
    }

    @Test func byteSearch() {
        let hay = Array("ab\"S3\"x\"S33\"".utf8)
        hay.withUnsafeBytes { b in
            #expect(b.containsBytes(Array("\"S3\"".utf8)))
            #expect(b.containsBytes(Array("\"S33\"".utf8)))
            #expect(!b.containsBytes(Array("\"S4\"".utf8)))
            #expect(!b.containsBytes(Array("\"S33\"x".utf8)))
            #expect(b.containsBytes([]))
            #expect(UnsafeRawBufferPointer(rebasing: b[0..<3]).containsBytes(Array("ab\"".utf8)))
            #expect(!UnsafeRawBufferPointer(rebasing: b[0..<3]).containsBytes(Array("ab\"S".utf8)))
        }
    }

    /// The log's pre-screen drops no match: on the seed journal, for filters by project, item
    /// prefix and econ prefix, the screened read equals the whole read filtered.
    @Test func theLogScreenDropsNothing() throws {
        let s = Seed.store
        let all = try s.events()
        var filters: [TrailFilter] = []
        for p in ["51050023T000008267900", "51050022T000000381225"] { var f = TrailFilter(); f.project = ProjectCode(rawValue: p); filters.append(f) }
        for i in ["201", "2010350", "208", "221"] { var f = TrailFilter(); f.item = i; filters.append(f) }
        for e in ["301", "30213", "302"] { var f = TrailFilter(); f.econ = e; filters.append(f) }
        for f in filters {
            #expect(f.screen != nil)
            let screened = try s.events(containing: f.screen, where: f.matches)
            #expect(screened.map(\.seq) == all.filter(f.matches).map(\.seq))
            #expect(!screened.isEmpty)
        }
    }
}

@Suite struct EarlyRejectionTests {
    /// A request refused for its text is answered without reading the journal: here the
    /// journal's last line is cut short, and the refusal still names the field at fault. A
    /// batch with one good row still reads it (and so reports the damage).
    @Test func textRejectionsNeedNoJournal() throws {
        let s = try seededStore()
        let fd = open(s.path, O_WRONLY | O_APPEND)
        _ = "{\"seq\":9".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        guard case .rejected(let list) = try s.post([disbursement("X1", amount: "1.001")]) else { Issue.record("not rejected"); return }
        #expect(list.map(\.rejection.code) == [.tooManyDecimals])
        #expect(throws: JournalError.self) { try s.post([disbursement("X1", amount: "1.001"), disbursement("X2", amount: "1.00")]) }
    }
}
