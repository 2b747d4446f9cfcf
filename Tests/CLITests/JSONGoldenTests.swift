import Foundation
import Testing

/// The exact bytes every JSON output prints, against golden files, so that a change of how the
/// JSON is built (not of what it says) is proven to change nothing. Run from the repository root
/// with the journal named relatively, so the files hold no machine's path. After an intended
/// change, regenerate them with `.ci/regold-json` and review the diff.
@Suite(.serialized) struct JSONGoldenTests {
    static let root = StatementCLITests.root

    /// Golden file name → the command's arguments (the shipped journal, from the repository root).
    static let cases: [(String, [String])] = [
        ("budget-item", ["budget", "--year", "2023", "--format", "json"]),
        ("budget-project", ["budget", "--year", "2023", "--by", "project", "--format", "json"]),
        ("budget-sangong-as-of", ["budget", "--year", "2023", "--by", "sangong", "--as-of", "2023-06-30", "--format", "json"]),
        ("budget-nature-until-seq", ["budget", "--year", "2022", "--by", "nature", "--until-seq", "200", "--format", "json"]),
        ("log", ["log", "--format", "json"]),
        ("log-item", ["log", "--item", "201", "--type", "adjustment", "--format", "json"]),
        ("show-corrected", ["show", "2023-D-0135", "--format", "json"]),
        ("show-plain", ["show", "2023-R-0001", "--format", "json"]),
        ("statements", ["statements", "--year", "2023", "--format", "json"]),
        ("statements-table", ["statements", "--year", "2022", "--table", "13", "--format", "json"]),
        ("reconcile", ["reconcile", "--year", "2023", "--format", "json"]),
        ("reconcile-against", ["reconcile", "--against", "Tests/Golden/json/proof-2023.json", "--format", "json"]),
        ("trace", ["trace", "--year", "2023", "--table", "13", "--row", "total", "--column", "决算数:公务接待费", "--format", "json"]),
        ("verify", ["verify", "--format", "json"]),
    ]

    /// The command run from `cwd` (the repository root) on the journal named relatively.
    static func run(_ args: [String], env: [String: String] = [:], cwd: URL = root) throws -> (status: Int32, out: Data) {
        let r = try fledger(args, journal: env["FLEDGER_JOURNAL"] ?? "Journal/journal.jsonl", env: env, cwd: cwd)
        return (r.status, Data(r.out.utf8))
    }

    static func golden(_ name: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent("Tests/Golden/json/\(name).json"))
    }

    @Test(arguments: cases.map(\.0))
    func exactStdout(name: String) throws {
        let args = try #require(Self.cases.first { $0.0 == name }).1
        let r = try Self.run(args)
        #expect(r.status == 0)
        let expected = try Self.golden(name)
        #expect(r.out == expected, "\(name): stdout differs from Tests/Golden/json/\(name).json:\n\(String(decoding: r.out.prefix(400), as: UTF8.self))")
        // Valid JSON (log prints JSON Lines: each line is).
        for line in (name.hasPrefix("log") ? r.out.split(separator: 0x0a) : [r.out[...]]) {
            #expect((try? JSONSerialization.jsonObject(with: Data(line))) != nil, "\(name): not JSON")
        }
    }

    /// The proof `reconcile --save` writes is the one `reconcile --format json` prints.
    @Test func savedProof() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-golden-proof-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Self.run(["reconcile", "--year", "2023", "--save", path]).status == 0)
        #expect(FileManager.default.contents(atPath: path) == (try Self.golden("proof-2023")))
    }

    /// A write's JSON answers (posted, already posted, rejected) on a journal made at a fixed time.
    @Test func postAnswers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["FLEDGER_JOURNAL": "j.jsonl", "SOURCE_DATE_EPOCH": "1700000000"]
        #expect(try Self.run(["init", "--unit", "505001", "--name", "单位", "--year", "2023", "--id", "U1"], env: env, cwd: dir).status == 0)
        let post = ["post", "appropriation", "--id", "A1", "--date", "2023-01-01", "--fund", "gpb", "--item", "2010350", "--nature", "basic",
                    "--amount", "467.42万", "--doc", "泸财预\"1\"号\\", "--memo", "a\tb", "--format", "json"]
        var all = Data()
        for (args, status) in [(post, Int32(0)), (post, 0),
                               (["post", "disbursement", "--date", "2023-02-01", "--amount", "1.234", "--format", "json"], 1),
                               (["post", "disbursement", "--date", "2023-02-01", "--fund", "gpb", "--item", "2010350", "--econ", "30101", "--nature", "basic",
                                 "--amount", "1.23", "--payee", "x", "--voucher", "v", "--id", "A1", "--format", "json"], 1)] {
            let r = try Self.run(args, env: env, cwd: dir)
            #expect(r.status == status)
            all += r.out
        }
        #expect(all == (try Self.golden("post")), "\(String(decoding: all, as: UTF8.self))")
    }
}
