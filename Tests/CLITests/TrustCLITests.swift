import Foundation
import Testing

/// Checkpoints, witnesses, proofs and pins as users run them: an admin signs a checkpoint, a
/// witness cosigns it, the journal grows, `verify --checkpoint` shows it extends both, an
/// auditor checks one event and the consistency between the checkpoints without the journal,
/// and a proof altered by one byte or checked against another journal's checkpoint fails.
@Suite(.serialized) struct TrustCLITests {
    @Test func roundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-trust-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let j = dir + "/j.jsonl"
        var keys: [String: String] = [:]
        for (file, name) in [("admin", "王会计"), ("clerk", "李出纳"), ("witness", "财政局")] {
            let r = try fledger(["key", "new", "--actor", name, "--output", "\(dir)/\(file).key"], journal: j)
            keys[file] = AccessCLITests.publicKey(r)
        }
        func as_(_ who: String) -> [String: String] { ["FLEDGER_KEY": "\(dir)/\(who).key", "FLEDGER_ACTOR": ""] }
        var r = try fledger(["init", "--unit", "505001", "--name", "测试单位", "--year", "2023", "--public-key", keys["admin"]!], journal: j, env: as_("admin"))
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["actor", "add", "李出纳", "--role", "clerk", "--public-key", keys["clerk"]!], journal: j, env: as_("admin"))
        #expect(r.status == 0, "\(r.err)")
        func post(_ id: String) throws {
            let r = try fledger(["post", "appropriation", "--id", id, "--date", "2023-01-01", "--fund", "gpb", "--item", "2010350",
                                 "--nature", "basic", "--amount", "100", "--doc", "批复"], journal: j, env: as_("clerk"))
            #expect(r.status == 0, "\(r.err)")
        }
        for i in 1...4 { try post("A\(i)") }
        // The pin was recorded beside the test's journal by the first signed write.
        let pins = try FileManager.default.contentsOfDirectory(atPath: dir + "/trust")
        #expect(pins.count == 1 && pins[0].hasPrefix("505001-") && pins[0].hasSuffix(".pin"), "\(pins)")
        r = try fledger(["checkpoint", "--output", dir + "/c1"], journal: j, env: as_("admin"))
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["checkpoint", "cosign", dir + "/c1"], journal: j, env: as_("witness"))
        #expect(r.status == 0 && r.out.contains("2 signature(s)"), "\(r.err)")
        let c1 = try String(contentsOfFile: dir + "/c1", encoding: .utf8)
        #expect(c1.hasPrefix("fledger/505001/") && c1.contains("\n\n— 王会计 ") && c1.contains("\n— 财政局 "))
        for i in 5...6 { try post("A\(i)") }
        r = try fledger(["checkpoint", "--output", dir + "/c2"], journal: j, env: as_("admin"))
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["verify", "--checkpoint", dir + "/c1", "--checkpoint", dir + "/c2"], journal: j)
        #expect(r.status == 0 && r.out.contains("extends the checkpoint \(dir)/c1") && r.out.contains("extends the checkpoint \(dir)/c2"), "\(r.out)\(r.err)")
        // Proofs, checked without the journal (FLEDGER_JOURNAL unset, the journal moved away).
        r = try fledger(["prove", "inclusion", "A2", "--checkpoint", dir + "/c1", "--output", dir + "/p1"], journal: j)
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["prove", "consistency", "--from", dir + "/c1", "--to", dir + "/c2", "--output", dir + "/p2"], journal: j)
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["trust", "export", "--output", dir + "/t"], journal: j, env: as_("admin"))
        #expect(r.status == 0, "\(r.err)")
        try FileManager.default.moveItem(atPath: j, toPath: j + ".away")
        r = try fledger(["check-proof", dir + "/p1", "--checkpoint", dir + "/c1", "--trust", dir + "/t"], journal: "", env: ["FLEDGER_JOURNAL": ""])
        #expect(r.status == 0 && r.out.contains("event A2") && r.out.contains("signed by: 王会计 (verified)") && r.out.contains("not checked (keys not given): 财政局"), "\(r.out)\(r.err)")
        r = try fledger(["check-proof", dir + "/p2", "--checkpoint", dir + "/c1", "--checkpoint", dir + "/c2", "--format", "json"], journal: "", env: ["FLEDGER_JOURNAL": ""])
        #expect(r.status == 0 && r.out.contains(#""kind":"consistency""#), "\(r.out)\(r.err)")
        // One byte of the proof's line changed: refused with the reason.
        let p1 = try String(contentsOfFile: dir + "/p1", encoding: .utf8)
        try p1.replacingOccurrences(of: #""amount":10000"#, with: #""amount":90000"#).write(toFile: dir + "/p1-bad", atomically: true, encoding: .utf8)
        r = try fledger(["check-proof", dir + "/p1-bad", "--checkpoint", dir + "/c1"], journal: "", env: ["FLEDGER_JOURNAL": ""])
        #expect(r.status == 3 && r.err.contains("audit path does not lead from this line"), "\(r.err)")
        // A checkpoint whose size was changed: its signature no longer verifies.
        let size = Int(c1.split(separator: "\n")[1])!
        try c1.replacingOccurrences(of: "\n\(size)\n", with: "\n\(size - 1)\n").write(toFile: dir + "/c1-bad", atomically: true, encoding: .utf8)
        r = try fledger(["check-proof", dir + "/p1", "--checkpoint", dir + "/c1-bad", "--trust", dir + "/t"], journal: "", env: ["FLEDGER_JOURNAL": ""])
        #expect(r.status == 3 && r.err.contains("does not verify"), "\(r.out)\(r.err)")
        try FileManager.default.moveItem(atPath: j + ".away", toPath: j)
        // Another journal's checkpoint.
        let other = dir + "/other.jsonl"
        r = try fledger(["init", "--unit", "505002", "--name", "另一单位", "--year", "2023"], journal: other)
        r = try fledger(["checkpoint", "--output", dir + "/other.cp"], journal: other, env: as_("admin"))
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["check-proof", dir + "/p1", "--checkpoint", dir + "/other.cp"], journal: "", env: ["FLEDGER_JOURNAL": ""])
        #expect(r.status == 3 && r.err.contains("another unit's or another journal's"), "\(r.err)")
        r = try fledger(["verify", "--checkpoint", dir + "/other.cp"], journal: j)
        #expect(r.status == 3 && r.err.contains("another journal's checkpoint"), "\(r.err)")
        r = try fledger(["verify", "--trust", dir + "/t"], journal: j)
        #expect(r.status == 0 && r.out.contains("matches the trust root exported in"), "\(r.out)\(r.err)")
        r = try fledger(["trust", "show"], journal: j)
        #expect(r.status == 0 && r.out.contains("fledger trust pin v1") && r.out.contains("signing-from 2"), "\(r.out)\(r.err)")
        // The tail cut and the head file removed: the pin says what differs and where it is kept.
        let lines = try String(contentsOfFile: j, encoding: .utf8).split(separator: "\n")
        try (lines.dropLast(2).joined(separator: "\n") + "\n").write(toFile: j, atomically: true, encoding: .utf8)
        for f in [".fledger-head", ".fledger-checkpoint", ".fledger-tree"] { try? FileManager.default.removeItem(atPath: j + f) }
        r = try fledger(["verify"], journal: j)
        #expect(r.status == 3 && r.err.contains("removed from its end") && r.err.contains("\(dir)/trust/505001-"), "\(r.status) \(r.err)")
        r = try fledger(["post", "appropriation", "--id", "A9", "--date", "2023-01-01", "--fund", "gpb", "--item", "2010350",
                         "--nature", "basic", "--amount", "1", "--doc", "d"], journal: j, env: as_("clerk"))
        #expect(r.status == 3 && r.err.contains("pinned in"), "STATUS \(r.status) \(r.err)")
    }
}
