import Foundation
import Glibc
import Ledger

// fledger-bench: generates a synthetic journal of realistic shape and times the fledger
// binary on it, as a user would run it (separate processes, from the page cache).
//
//   swift build -c release && .build/release/fledger-bench [--events 1000000] [--dir bench-out]
//
// Steps: `fledger init`; `fledger import` of N generated events (one batch, durable);
// `fledger verify`; `fledger budget --by item` (full replay from the file, best of 3) and
// `--as-of`; `fledger statements` and `fledger reconcile` (verify included); `show`, `log` and
// `trace` (an auditor's look-ups); `export`; then `--posts`
// single `fledger post disbursement` into the big journal.
// Reports wall time and peak resident memory of each step. `--reuse` keeps an existing
// journal in DIR (skips generate/init/import). `--compare` also exports to hledger format
// and times `ledger`/`hledger` balance reports on it when they are on PATH.

func fail(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

struct Options {
    var events = 1_000_000
    var dir = "bench-out"
    var posts = 20
    var seed: UInt64 = 20231231
    /// Internal: generate the import file and exit (run as a child, so the generator's memory
    /// never counts in the measured processes' peaks).
    var generateOnly: String?
    var reuse = false
    var compare = false
    /// Run the whole benchmark at each of these sizes and print how every step grows.
    var scale: [Int] = []
    /// Internal: where a run writes its results (name, seconds, peak KB) for `--scale`.
    var results: String?
}

func parseOptions() -> Options {
    var o = Options()
    var args = Array(CommandLine.arguments.dropFirst())
    while !args.isEmpty {
        let a = args.removeFirst()
        func value() -> String {
            guard !args.isEmpty else { fail("fledger-bench: \(a) needs a value\n"); exit(2) }
            return args.removeFirst()
        }
        switch a {
        case "--events": o.events = Int(value()) ?? o.events
        case "--dir": o.dir = value()
        case "--posts": o.posts = Int(value()) ?? o.posts
        case "--seed": o.seed = UInt64(value()) ?? o.seed
        case "--generate-only": o.generateOnly = value()
        case "--reuse": o.reuse = true
        case "--compare": o.compare = true
        case "--scale":
            o.scale = [10_000, 100_000, 1_000_000]
            if let next = args.first, !next.hasPrefix("--") { o.scale = value().split(separator: ",").compactMap { Int($0) } }
        case "--results": o.results = value()
        case "--help", "-h":
            print("usage: fledger-bench [--events N (1000000)] [--dir DIR (bench-out)] [--posts N (20)] [--seed N] [--reuse] [--compare] [--scale [N,N,…] (10000,100000,1000000)]")
            exit(0)
        default: fail("fledger-bench: unknown option \(a)\n"); exit(2)
        }
    }
    return o
}

struct Line {
    let item: String, nature: String, project: String?
    var budget: Int64 = 0, spent: Int64 = 0
}

/// Writes the import file: appropriations for every line on 1 January, then a year of
/// disbursements with budget adjustments, reversals and reclassifications among them.
func generate(_ o: Options, to path: String) throws {
    var rng = SplitMix64(seed: o.seed)
    let catalogue = try Catalogue.builtIn()
    let items = catalogue.functions.keys.filter(\.isItem).map(\.rawValue).sorted()
    let econs = catalogue.economics.keys.filter { $0.isKuan && (catalogue.econ($0, isIn: .personnel) || catalogue.econ($0, isIn: .running)) }
        .map(\.rawValue).sorted()
    var lines: [Line] = items.map { Line(item: $0, nature: "basic", project: nil) }
    for p in 0..<300 {
        let code = "51050023T" + String(format: "%012d", 8_267_900 + p)
        lines.append(Line(item: items[p % items.count], nature: "project", project: code))
    }
    let disbursements = max(o.events - lines.count, 0)
    let perLine = Int64(disbursements / lines.count + 1) * 2_600_000  // mean 13,000 yuan each, doubled
    var out = [UInt8]()
    out.reserveCapacity(o.events * 260)
    func emit(_ fields: [(String, String)]) {
        out.append(0x7b)
        for (i, (k, v)) in fields.enumerated() {
            if i > 0 { out.append(0x2c) }
            FlatJSON.appendString(k, to: &out); out.append(0x3a); FlatJSON.appendString(v, to: &out)
        }
        out.append(0x7d); out.append(0x0a)
    }
    func yuan(_ fen: Int64) -> String { Fen(fen).yuan }
    func cls(_ l: Line) -> [(String, String)] {
        [(Wire.fund, "gpb"), (Wire.item, l.item), (Wire.nature, l.nature)] + (l.project.map { [(Wire.project, $0)] } ?? [])
    }
    let actors = ["王会计", "李出纳", "张主任", "刘审核"]
    let payees = ["职工工资", "泸州市电信分公司", "四川某某科技有限公司", "国网泸州供电公司", "中国石化泸州分公司", "评审专家劳务"]
    var n = 0
    for (i, l) in lines.enumerated() {
        n += 1
        lines[i].budget = perLine
        emit([(Wire.type, EventType.appropriation.rawValue), (Wire.id, "A\(n)"), (Wire.date, "2023-01-01")] + cls(l)
             + [(Wire.amount, yuan(perLine)), (Wire.doc, "泸财预〔2023〕\(i + 1)号"), (Wire.actor, actors[0]), (Wire.memo, "年初预算")])
    }
    var recent: [(id: String, line: Int, amount: Int64, econ: Int)] = []
    while n < o.events {
        n += 1
        let day = 1 + (n * 364) / o.events
        var comps = DateComponents(); comps.year = 2023; comps.day = day
        let month = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var d = day, m = 0
        while d > month[m] { d -= month[m]; m += 1 }
        let date = String(format: "2023-%02d-%02d", m + 1, d)
        let actor = actors[rng.below(actors.count)]
        let roll = rng.below(1000)
        if roll < 10 {  // budget adjustment, up
            let li = rng.below(lines.count)
            let amount = Int64(1 + rng.below(50_000)) * 100
            lines[li].budget += amount
            emit([(Wire.type, EventType.adjustment.rawValue), (Wire.kind, AdjustmentKind.budget.rawValue), (Wire.id, "J\(n)"), (Wire.date, date)] + cls(lines[li])
                 + [(Wire.amount, yuan(amount)), (Wire.doc, "泸财预〔2023〕追加\(n)号"), (Wire.actor, actor), (Wire.memo, "追加预算")])
        } else if roll < 25, let r = recent.popLast() {  // reversal of part of a recent disbursement
            let amount = max(1, r.amount / 2)
            lines[r.line].spent -= amount
            emit([(Wire.type, EventType.adjustment.rawValue), (Wire.kind, AdjustmentKind.reversal.rawValue), (Wire.id, "R\(n)"), (Wire.target, r.id), (Wire.date, date),
                  (Wire.amount, yuan(amount)), (Wire.actor, actor), (Wire.memo, "退回多付款")])
        } else if roll < 35, let r = recent.popLast() {  // reclassification to another 经济分类 款
            emit([(Wire.type, EventType.adjustment.rawValue), (Wire.kind, AdjustmentKind.reclassification.rawValue), (Wire.id, "C\(n)"), (Wire.target, r.id), (Wire.date, date),
                  (Wire.econ, econs[(r.econ + 1 + rng.below(econs.count - 1)) % econs.count]), (Wire.actor, actor), (Wire.memo, "更正经济分类")])
        } else {
            var li = rng.below(lines.count)
            var amount = Int64(100 + rng.below(2_500_000))
            if lines[li].budget - lines[li].spent < amount {
                li = (0..<lines.count).first { lines[$0].budget - lines[$0].spent >= amount } ?? li
                amount = min(amount, lines[li].budget - lines[li].spent)
            }
            guard amount > 0 else { n -= 1; continue }
            lines[li].spent += amount
            let id = "D\(n)"
            let econ = rng.below(econs.count)
            emit([(Wire.type, EventType.disbursement.rawValue), (Wire.id, id), (Wire.date, date)] + cls(lines[li])
                 + [(Wire.econ, econs[econ]), (Wire.amount, yuan(amount)), (Wire.payee, payees[rng.below(payees.count)]),
                    (Wire.voucher, "记-\(String(format: "%02d", m + 1))-\(n)"), (Wire.actor, actor)])
            if rng.below(10) == 0 { recent.append((id, li, amount, econ)) }
            if recent.count > 64 { recent.removeFirst() }
        }
    }
    guard FileManager.default.createFile(atPath: path, contents: Data(out)) else {
        fail("fledger-bench: cannot write \(path)\n"); exit(4)
    }
}

struct Measure { let seconds: Double; let peakKB: Int; let status: Int32; let output: String }

/// Runs the command, timing it and reading its peak memory from wait4's rusage.
func measure(_ argv: [String], env: [String: String]) -> Measure {
    var pid: pid_t = 0
    let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-bench-\(getpid()).out").path
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let cargs = argv.map { strdup($0) } + [nil]
    let cenv = (ProcessInfo.processInfo.environment.merging(trustEnvironment(env)) { $1 }).map { strdup("\($0)=\($1)") } + [nil]
    var start = timespec(), end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    guard posix_spawn(&pid, argv[0], &actions, nil, cargs, cenv) == 0 else {
        fail("fledger-bench: cannot run \(argv[0])\n"); exit(4)
    }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    clock_gettime(CLOCK_MONOTONIC, &end)
    posix_spawn_file_actions_destroy(&actions)
    let secs = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    unlink(outPath)
    return Measure(seconds: secs, peakKB: usage.ru_maxrss, status: (status >> 8) & 0xff, output: output)
}

// Subcommands: the crash harness and the fuzzers (Harness.swift).
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "serve" {
    exit(ServeLoad.main(Array(CommandLine.arguments.dropFirst())))
}
if CommandLine.arguments.count > 1, ["crash", "fuzz", "readers"].contains(CommandLine.arguments[1]) {
    exit(Harness.main(Array(CommandLine.arguments.dropFirst())))
}

let o = parseOptions()
if let path = o.generateOnly {
    try generate(o, to: path)
    exit(0)
}
if !o.scale.isEmpty {
    exit(Scale.run(o))
}
let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
let fledger = binDir + "/fledger"
guard FileManager.default.isExecutableFile(atPath: fledger) else {
    fail("fledger-bench: no fledger binary beside this one (\(fledger)); run `swift build -c release` first\n")
    exit(4)
}
try? FileManager.default.createDirectory(atPath: o.dir, withIntermediateDirectories: true)
let journal = o.dir + "/bench.jsonl"
let input = o.dir + "/bench-import.jsonl"
let env = ["FLEDGER_JOURNAL": journal, "FLEDGER_ACTOR": "bench"]

/// One step's line: time, peak memory, and, when a reference was measured in the same run, the
/// ratio to it (machines are shared and noisy; ratios travel between them, seconds do not).
nonisolated(unsafe) var results: [(name: String, seconds: Double, peakKB: Int)] = []

func report(_ name: String, _ m: Measure, target: String, against ref: (name: String, seconds: Double)? = nil) {
    results.append((name, m.seconds, m.peakKB))
    let ratio = ref.map { String(format: "  %6.2f× %@", m.seconds / max($0.seconds, 1e-6), $0.name as NSString) } ?? ""
    print(name.padding(toLength: 38, withPad: " ", startingAt: 0)
          + String(format: " %8.3f s  peak %7.1f MB  exit %d", m.seconds, Double(m.peakKB) / 1024, m.status) + ratio + "   (aim: \(target))")
    if m.status != 0 { print(m.output); exit(1) }
}

var importRun: Measure?
if !(o.reuse && FileManager.default.fileExists(atPath: journal)) {
    for f in [journal, input] + JournalFiles.paths(beside: journal) { unlink(f) }
    let gen = measure([CommandLine.arguments[0], "--events", String(o.events), "--seed", String(o.seed), "--generate-only", input], env: [:])
    guard gen.status == 0 else { print(gen.output); exit(1) }
    let inputSize = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? 0
    print("generated \(o.events) events (\(inputSize / 1_000_000) MB of JSON Lines) in \(String(format: "%.2f", gen.seconds)) s (not timed below)")
    report("init", measure([fledger, "init", "--unit", "505001", "--name", "基准测试单位", "--year", "2023"], env: env), target: "-")
    importRun = measure([fledger, "import", input], env: env)
    report("import, one batch (one fsync)", importRun!, target: "≤ 1.5× verify, ≤ 300 MB")
} else {
    print("reusing \(journal)")
}
let journalSize = (try? FileManager.default.attributesOfItem(atPath: journal)[.size] as? Int) ?? 0
print("journal: \(journalSize / 1_000_000) MB")
// References measured in this run: hashing the file with sha256sum, and verify itself.
let sha = ["/usr/bin/sha256sum", "/bin/sha256sum"].first(where: FileManager.default.isExecutableFile).map { measure([$0, journal], env: [:]) }
if let sha { report("sha256sum JOURNAL (reference)", sha, target: "-") }
let verifyRun = measure([fledger, "verify"], env: env)
report("verify", verifyRun, target: "≤ 1.0× sha256sum", against: sha.map { ("sha256sum", $0.seconds) })
let verifyRef = (name: "verify", seconds: verifyRun.seconds)
// The same verify without building the Merkle tree (a benchmark-only switch): the tree's cost.
let verifyNoTree = measure([fledger, "verify"], env: env.merging(["FLEDGER_BENCH_NO_TREE": "1"]) { $1 })
report("verify without the Merkle tree (ref.)", verifyNoTree, target: "-")
print("verify with the tree (above)".padding(toLength: 38, withPad: " ", startingAt: 0)
      + String(format: " %8.3f s  %6.2f× verify without it   (aim: ≤ 1.2×)", verifyRun.seconds, verifyRun.seconds / max(verifyNoTree.seconds, 1e-6)))
if let i = importRun {
    print("import (above)".padding(toLength: 38, withPad: " ", startingAt: 0)
          + String(format: " %8.3f s  %6.2f× verify   (aim: ≤ 1.5× verify, ≤ 300 MB)", i.seconds, i.seconds / max(verifyRun.seconds, 1e-6)))
}

/// Best of `n` runs (the first warms the page cache like the others).
func best(_ n: Int, _ argv: [String]) -> Measure {
    (0..<n).map { _ in measure(argv, env: env) }.min { $0.seconds < $1.seconds }!
}
// The first budget reads the whole journal (and saves the projection's snapshot); the next
// ones read the snapshot and the lines after it.
unlink(JournalFiles.projection.path(beside: journal))
let budgetWhole = measure([fledger, "budget", "--year", "2023", "--by", "item", "--format", "csv"], env: env)
report("budget --by item, whole journal", budgetWhole, target: "≤ 1 s, ≤ 300 MB for 1M")
let budgetRun = best(3, [fledger, "budget", "--year", "2023", "--by", "item", "--format", "csv"])
report("budget --by item (best of 3)", budgetRun, target: "≤ 1 s, ≤ 100 MB; ≥ 100× faster than ledger")
guard budgetRun.output == budgetWhole.output else { print("budget from the snapshot differs from the whole read"); exit(1) }
report("budget --by econ --as-of 2023-06-30", best(3, [fledger, "budget", "--year", "2023", "--by", "econ", "--as-of", "2023-06-30", "--format", "csv"]), target: "≤ 1 s")
report("statements --year 2023 (13 tables)", measure([fledger, "statements", "--year", "2023", "--format", "csv"], env: env), target: "none set", against: verifyRef)
report("reconcile --year 2023", measure([fledger, "reconcile", "--year", "2023"], env: env), target: "statements + reconcile ≤ 1.5× verify", against: verifyRef)
// An auditor's look-ups: one event and its corrections (the first reversal's target), and a
// month of one project.
let head = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: journal)).read(upToCount: 4 << 20)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
let target = head.range(of: "\"target\":\"").map { String(head[$0.upperBound...].prefix { $0 != "\"" }) } ?? "A1"
let showRun = best(3, [fledger, "show", target])
report("show \(target) (best of 3)", showRun, target: "≤ 2× one post", against: nil)
// A signed checkpoint (made after a whole verify), then inclusion proofs of an early event and
// of one from the middle of the journal: each reads the tree file and at most two blocks of lines.
let benchKey = o.dir + "/bench.key", benchCheckpoint = o.dir + "/bench.checkpoint"
unlink(benchKey)
_ = measure([fledger, "key", "new", "--actor", "bench", "--output", benchKey], env: env)
report("checkpoint (verifies, then signs)", measure([fledger, "checkpoint", "--key", benchKey, "--output", benchCheckpoint], env: env),
       target: "≈ 1× verify", against: verifyRef)
let middle: String = {
    guard let h = FileHandle(forReadingAtPath: journal) else { return target }
    defer { try? h.close() }
    try? h.seek(toOffset: UInt64(journalSize / 2))
    let text = (try? h.read(upToCount: 1 << 16)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
    return text.range(of: "\"id\":\"").map { String(text[$0.upperBound...].prefix { $0 != "\"" }) } ?? target
}()
for id in [target, middle] {
    report("prove inclusion \(id) (best of 3)", best(3, [fledger, "prove", "inclusion", id, "--checkpoint", benchCheckpoint]),
           target: "≤ 50 ms, ≤ 64 MB at 1M")
}
report("log --project, one month (best of 3)", best(3, [fledger, "log", "--project", "51050023T000008267900", "--from", "2023-03-01", "--to", "2023-03-31"]),
       target: "≤ 0.5× verify", against: verifyRef)

// One cell of table 3 (an item's 本年支出合计: about a twentieth of the events), every event behind it listed.
// Both read the whole journal; budget from its snapshot reads only the lines after it.
let traceRun = best(3, [fledger, "trace", "--year", "2023", "--table", "3", "--row", "2010350", "--column", "total", "--format", "csv"])
report("trace T3 2010350 total (best of 3)", traceRun, target: "≤ 2× budget, ≤ 300 MB", against: ("budget's whole read", budgetWhole.seconds))
print("trace (above)".padding(toLength: 38, withPad: " ", startingAt: 0)
      + String(format: " %8.3f s  %6.2f× budget from its snapshot", traceRun.seconds, traceRun.seconds / max(budgetRun.seconds, 1e-6)))

let exported = o.dir + "/bench.hledger"
report("export --format hledger", measure([fledger, "export", "--format", "hledger", "--output", exported], env: env), target: "≤ 1.0× verify, ≤ 200 MB", against: verifyRef)
if o.compare {
    // fledger's 执行数 for 2023, in 分, against the tools' Expenses:2023 total read from the export.
    let ours = measure([fledger, "budget", "--year", "2023", "--format", "json"], env: env)
    let total = ours.output.range(of: "\"actual\":").map { r in Int64(ours.output[r.upperBound...].prefix { $0.isNumber || $0 == "-" }) ?? nil } ?? nil
    let budgetRef = (name: "fledger budget", seconds: ours.seconds)
    for tool in ["ledger", "hledger"] {
        guard let path = ["/usr/bin/", "/usr/local/bin/"].map({ $0 + tool }).first(where: FileManager.default.isExecutableFile) else {
            print("\(tool): not on this machine, skipped"); continue
        }
        let m = measure([path, "-f", exported, "balance", tool == "ledger" ? "^Expenses:2023" : "Expenses:2023", "--depth", "1"], env: [:])
        report("\(tool) balance Expenses:2023", m, target: "fledger budget ≥ 100× faster", against: budgetRef)
        print("\(tool)".padding(toLength: 38, withPad: " ", startingAt: 0)
              + String(format: " %6.1f× budget's whole read (no snapshot, %.3f s)", m.seconds / max(budgetWhole.seconds, 1e-6), budgetWhole.seconds))
        // The last amount the tool prints is the total.
        let amounts = m.output.split(separator: "\n").compactMap { line -> Int64? in
            guard let cny = line.range(of: " CNY") else { return nil }
            let text = line[..<cny.lowerBound].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
            guard case .success(let f) = Fen.parse(text) else { return nil }
            return f.raw
        }
        guard let theirs = amounts.last, let total else { print("\(tool): no total to compare"); exit(1) }
        print("\(tool) total \(Fen(theirs).yuan) against fledger's 执行数 \(Fen(total).yuan): " + (theirs == total ? "equal to the fen" : "DIFFERENT"))
        if theirs != total { exit(1) }
    }
}
var times: [Double] = []
var peak = 0
for i in 0..<o.posts {
    let m = measure([fledger, "post", "disbursement", "--id", "BENCH-\(i)", "--date", "2023-12-31", "--fund", "gpb",
                     "--item", "2010350", "--econ", "30201", "--nature", "basic", "--amount", "1.00",
                     "--payee", "基准", "--voucher", "记-12-B\(i)", "--override", "benchmark post"], env: env)
    if m.status != 0 { print(m.output); exit(1) }
    times.append(m.seconds); peak = max(peak, m.peakKB)
}
times.sort()
// The reference: the same post into a journal of two events, in this run.
let small = o.dir + "/small.jsonl"
for f in [small] + JournalFiles.paths(beside: small) { unlink(f) }
let smallEnv = ["FLEDGER_JOURNAL": small, "FLEDGER_ACTOR": "bench"]
_ = measure([fledger, "init", "--unit", "505001", "--name", "基准测试单位", "--year", "2023"], env: smallEnv)
var smallTimes: [Double] = []
for i in 0..<max(o.posts, 1) {
    let m = measure([fledger, "post", "disbursement", "--id", "SMALL-\(i)", "--date", "2023-12-31", "--fund", "gpb", "--item", "2010350", "--econ", "30201",
                     "--nature", "basic", "--amount", "1.00", "--payee", "基准", "--voucher", "记-12-S\(i)", "--override", "benchmark post"], env: smallEnv)
    if m.status != 0 { print(m.output); exit(1) }
    smallTimes.append(m.seconds)
}
smallTimes.sort()
let smallPost = smallTimes[smallTimes.count / 2]
if !times.isEmpty {
    let median = times[times.count / 2]
    print("post into a 2-event journal".padding(toLength: 38, withPad: " ", startingAt: 0) + String(format: " %8.3f s median of %d (reference)", smallPost, smallTimes.count))
    print("post into the journal".padding(toLength: 38, withPad: " ", startingAt: 0)
          + String(format: " %8.3f s median, %.3f s max of %d  peak %.1f MB  %6.2f× the small post   (aim: ≤ 1.3×)", median, times.last!, times.count,
                   Double(peak) / 1024, median / max(smallPost, 1e-6)))
    print("show (above)".padding(toLength: 38, withPad: " ", startingAt: 0)
          + String(format: " %8.3f s  %6.2f× one post into the journal   (aim: ≤ 2×)", showRun.seconds, showRun.seconds / max(median, 1e-6)))
    results.append(("post into the journal (median)", median, peak))
}
report("verify after the posts", measure([fledger, "verify"], env: env), target: "≤ 1.0× sha256sum", against: sha.map { ("sha256sum", $0.seconds) })
if let path = o.results {
    let text = results.map { "\($0.name)\t\($0.seconds)\t\($0.peakKB)" }.joined(separator: "\n") + "\n"
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
}
