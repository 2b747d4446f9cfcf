import Foundation
import Testing

/// The issue's acceptance, as users run it: on a fresh journal an admin registers a clerk and
/// an approver; the clerk posts and asks for a reversal; the reversal counts only after the
/// approver approves it; a post signed with a revoked or wrong key is refused; rewriting one
/// old line and recomputing the chain is caught by verify.
@Suite(.serialized) struct AccessCLITests {
    static func publicKey(_ r: Run) -> String {
        r.out.split(separator: "\n").first { $0.hasPrefix("public key: ") }.map { String($0.dropFirst("public key: ".count)) } ?? ""
    }

    static func actual(_ j: String) throws -> String {
        let r = try fledger(["budget", "--year", "2023", "--format", "csv"], journal: j)
        return r.out.split(separator: "\n")[1].split(separator: ",", omittingEmptySubsequences: false)[5].description
    }

    @Test func acceptance() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-access-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let j = dir + "/j.jsonl"
        var keys: [String: String] = [:]
        for (file, name) in [("admin", "王会计"), ("clerk", "李出纳"), ("approver", "张审核"), ("other", "李出纳")] {
            let r = try fledger(["key", "new", "--actor", name, "--output", "\(dir)/\(file).key"], journal: j)
            #expect(r.status == 0, "\(r.err)")
            keys[file] = Self.publicKey(r)
            let mode = try FileManager.default.attributesOfItem(atPath: "\(dir)/\(file).key")[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
        func as_(_ who: String) -> [String: String] { ["FLEDGER_KEY": "\(dir)/\(who).key", "FLEDGER_ACTOR": ""] }
        // The admin creates the journal and declares themselves; registers a clerk and an approver.
        var r = try fledger(["init", "--unit", "505001", "--name", "测试单位", "--year", "2023", "--public-key", keys["admin"]!], journal: j, env: as_("admin"))
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["actor", "add", "李出纳", "--role", "clerk", "--public-key", keys["clerk"]!], journal: j, env: as_("admin"))
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["actor", "add", "张审核", "--role", "approver", "--public-key", keys["approver"]!], journal: j, env: as_("admin"))
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["actor", "list"], journal: j)
        #expect(r.out.contains("李出纳") && r.out.contains("张审核") && r.out.contains("admin"))
        // The clerk posts and asks for a reversal.
        for args in [["post", "appropriation", "--id", "A1", "--date", "2023-01-01", "--fund", "gpb", "--item", "2010350", "--nature", "basic",
                      "--amount", "10000", "--doc", "批复"],
                     ["post", "disbursement", "--id", "D1", "--date", "2023-02-01", "--fund", "gpb", "--item", "2010350", "--econ", "30201",
                      "--nature", "basic", "--amount", "3000", "--payee", "某公司", "--voucher", "V1"],
                     ["post", "adjustment", "--kind", "reversal", "--id", "R1", "--target", "D1", "--amount", "1000", "--date", "2023-03-01"]] {
            r = try fledger(args, journal: j, env: as_("clerk"))
            #expect(r.status == 0, "\(args[1]): \(r.err)")
            // Budget authority waits for a second person too (issue 22): the approver lets A1 count.
            if args.contains("A1") {
                r = try fledger(["approve", "A1"], journal: j, env: as_("approver"))
                #expect(r.status == 0, "\(r.err)")
            }
        }
        #expect(try Self.actual(j) == "3000.00", "the reversal waits")
        r = try fledger(["log", "--pending"], journal: j)
        #expect(r.out.contains("R1") && r.out.contains("1 item(s) wait"))
        // The clerk cannot approve their own item; the approver does, and only then it counts.
        r = try fledger(["approve", "R1"], journal: j, env: as_("clerk"))
        #expect(r.status == 1 && r.err.contains("missing_role"), "\(r.err)")
        r = try fledger(["approve", "R1"], journal: j, env: as_("approver"))
        #expect(r.status == 0, "\(r.err)")
        #expect(try Self.actual(j) == "2000.00")
        r = try fledger(["show", "D1"], journal: j)
        #expect(r.out.contains("approved by 张审核") && r.out.contains("signed by 李出纳 with key \(keys["clerk"]!)"), "\(r.out)")
        // A wrong key, and --actor that is not the key's, are refused; so is a revoked key.
        let post = ["post", "disbursement", "--date", "2023-02-02", "--fund", "gpb", "--item", "2010350", "--econ", "30201",
                    "--nature", "basic", "--amount", "1", "--payee", "x", "--voucher", "V2"]
        r = try fledger(post, journal: j, env: as_("other"))
        #expect(r.status == 1 && r.err.contains("wrong_key"), "\(r.err)")
        r = try fledger(post + ["--actor", "张审核"], journal: j, env: as_("clerk"))
        #expect(r.status == 2, "\(r.err)")
        r = try fledger(["actor", "revoke", "李出纳", "--reason", "调离"], journal: j, env: as_("admin"))
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(post, journal: j, env: as_("clerk"))
        #expect(r.status == 1 && r.err.contains("actor_revoked"), "\(r.err)")
        // A key others can read is refused before anything is read.
        chmod("\(dir)/approver.key", 0o644)
        r = try fledger(["approve", "R1"], journal: j, env: as_("approver"))
        #expect(r.status == 2 && r.err.contains("chmod 600"), "\(r.err)")
        r = try fledger(["verify"], journal: j)
        #expect(r.status == 0 && r.out.contains("signing: began at event 2"), "\(r.out)\(r.err)")
        // Rewrite one old line, recompute the chain and the head file: verify still catches it.
        var lines = String(decoding: FileManager.default.contents(atPath: j)!, as: UTF8.self).split(separator: "\n").map(String.init)
        let i = lines.firstIndex { $0.contains("\"id\":\"D1\"") }!
        lines[i] = lines[i].replacingOccurrences(of: "\"amount\":300000", with: "\"amount\":30000")
        var prev = sha256(lines[0])
        for k in 1..<lines.count {
            let cut = lines[k].range(of: "\"prev\":\"")!
            lines[k] = String(lines[k][..<cut.upperBound]) + prev + "\"}"
            prev = sha256(lines[k])
        }
        _ = FileManager.default.createFile(atPath: j, contents: Data((lines.joined(separator: "\n") + "\n").utf8))
        _ = FileManager.default.createFile(atPath: j + ".fledger-head", contents: Data("\(lines.count) \(prev)\n".utf8))
        try? FileManager.default.removeItem(atPath: j + ".fledger-checkpoint")
        r = try fledger(["verify"], journal: j)
        #expect(r.status == 3 && r.err.contains("signature"), "\(r.out)\(r.err)")
    }

    /// `init --threshold 2`: verify prints the threshold; a change of actors by one admin waits
    /// until a second admin approves it with their own key.
    @Test func thresholdAtInit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-threshold-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let j = dir + "/j.jsonl"
        var keys: [String: String] = [:]
        for (file, name) in [("a", "王会计"), ("b", "赵主任"), ("c", "李出纳")] {
            let r = try fledger(["key", "new", "--actor", name, "--output", "\(dir)/\(file).key"], journal: j)
            keys[file] = Self.publicKey(r)
        }
        func as_(_ who: String) -> [String: String] { ["FLEDGER_KEY": "\(dir)/\(who).key", "FLEDGER_ACTOR": ""] }
        var r = try fledger(["init", "--unit", "505001", "--name", "测试单位", "--year", "2023", "--threshold", "2"], journal: j)
        #expect(r.status == 2, "--threshold without --public-key: \(r.err)")
        r = try fledger(["init", "--unit", "505001", "--name", "测试单位", "--year", "2023", "--public-key", keys["a"]!, "--threshold", "2"], journal: j, env: as_("a"))
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["verify"], journal: j)
        #expect(r.status == 0 && r.out.contains("threshold: 2 admin signature(s)"), "\(r.out)\(r.err)")
        r = try fledger(["actor", "add", "李出纳", "--role", "clerk", "--public-key", keys["c"]!], journal: j, env: as_("a"))
        #expect(r.status == 1 && r.err.contains("below_threshold"), "\(r.err)")
        r = try fledger(["actor", "add", "赵主任", "--role", "admin", "--public-key", keys["b"]!], journal: j, env: as_("a"))
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["actor", "add", "李出纳", "--role", "clerk", "--public-key", keys["c"]!, "--id", "ADD-C"], journal: j, env: as_("a"))
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["log", "--pending"], journal: j)
        #expect(r.out.contains("ADD-C"), "\(r.out)")
        r = try fledger(["show", "ADD-C"], journal: j)
        #expect(r.out.contains("waiting for admins (threshold 2)"), "\(r.out)")
        r = try fledger(["approve", "ADD-C"], journal: j, env: as_("b"))
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["show", "ADD-C"], journal: j)
        #expect(r.out.contains("in effect: approved by 赵主任"), "\(r.out)")
        r = try fledger(["actor", "list"], journal: j)
        #expect(r.out.contains("李出纳"), "\(r.out)")
        r = try fledger(["verify", "--format", "json"], journal: j)
        #expect(r.out.contains("\"threshold\":2"), "\(r.out)")
    }

    /// A line appended without a key (chain and head file made to match): `budget`, `show`,
    /// `log` and `trace` refuse the journal (exit 3, naming the line) instead of counting it.
    @Test func readersRefuseAnAppendedUnsignedLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-unsigned-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let j = dir + "/j.jsonl"
        let key = try fledger(["key", "new", "--actor", "王会计", "--output", "\(dir)/a.key"], journal: j)
        let env = ["FLEDGER_KEY": "\(dir)/a.key", "FLEDGER_ACTOR": ""]
        var r = try fledger(["init", "--unit", "505001", "--name", "测试单位", "--year", "2023", "--public-key", Self.publicKey(key)], journal: j, env: env)
        #expect(r.status == 0, "\(r.err)")
        r = try fledger(["budget", "--year", "2023"], journal: j)
        #expect(r.status == 0, "\(r.err)")
        var lines = String(decoding: FileManager.default.contents(atPath: j)!, as: UTF8.self).split(separator: "\n").map(String.init)
        let n = lines.count + 1
        lines.append(#"{"seq":\#(n),"id":"A-FORGED","type":"appropriation","date":"2023-01-01","recorded":"2099-01-01T00:00:00Z","actor":"王会计","fund":"gpb","item":"2010350","nature":"basic","amount":100000000,"doc":"伪造","approval":"required","prev":"\#(sha256(lines.last!))"}"#)
        _ = FileManager.default.createFile(atPath: j, contents: Data((lines.joined(separator: "\n") + "\n").utf8))
        _ = FileManager.default.createFile(atPath: j + ".fledger-head", contents: Data("\(n) \(sha256(lines.last!))\n".utf8))
        for args in [["budget", "--year", "2023"], ["show", "A-FORGED"], ["log"],
                     ["trace", "--year", "2023", "--table", "1", "--row", "1", "--column", "amount"]] {
            r = try fledger(args, journal: j)
            #expect(r.status == 3 && r.err.contains(":\(n):"), "\(args[0]): \(r.status) \(r.out)\(r.err)")
        }
    }

    func sha256(_ s: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sha256sum"]
        let i = Pipe(), o = Pipe()
        p.standardInput = i
        p.standardOutput = o
        try! p.run()
        i.fileHandleForWriting.write(Data(s.utf8))
        try! i.fileHandleForWriting.close()
        let out = o.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(String(decoding: out, as: UTF8.self).prefix(64))
    }
}
