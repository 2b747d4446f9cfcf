import Foundation
import Glibc
import Ledger

/// `fledger-bench crash --trials N --posters P`: posters and an importer run `fledger post` and
/// `fledger import` against one journal while a killer sends SIGKILL to them at random moments.
/// After each trial the journal must verify (after `repair`, when only an unacknowledged tail
/// was left) and hold every acknowledged post exactly once.
///
/// `fledger-bench fuzz --cases N [--cli-cases M]`: the seeded fuzzers of `Fuzz` (line decoders,
/// import parsers, amounts and dates), N cases each, and M generated `fledger` command lines.
///
/// `fledger-bench readers --posters P --posts N`: posters and a reader looping `budget` and
/// `verify`, for what readers see during writes.
enum Harness {
    static func main(_ args: [String]) -> Int32 {
        _ = fledger   // resolved now, against the directory we started in (the fuzzer changes it)
        var options: [String: Int] = ["--trials": 100, "--posters": 4, "--posts": 12, "--cases": 1_000_000, "--cli-cases": 3_000, "--seed": 1]
        var k = 1
        while k < args.count {
            guard options[args[k]] != nil, k + 1 < args.count, let v = Int(args[k + 1]) else {
                FileHandle.standardError.write(Data("fledger-bench \(args[0]): unknown option \(args[k]); takes \(options.keys.sorted().joined(separator: " "))\n".utf8))
                return 2
            }
            options[args[k]] = v
            k += 2
        }
        if args[0] == "readers" { return readers(posters: options["--posters"]!, posts: options["--posts"]!) }
        return args[0] == "crash" ? crash(trials: options["--trials"]!, posters: options["--posters"]!, posts: options["--posts"]!, seed: UInt64(options["--seed"]!))
            : fuzz(cases: options["--cases"]!, cliCases: options["--cli-cases"]!, seed: UInt64(options["--seed"]!))
    }

    static func fuzz(cases: Int, cliCases: Int, seed: UInt64) -> Int32 {
        print("fuzz: \(cases) cases each (the command line: \(cliCases), each a process), seed \(seed)")
        var failed = 0, passed = 0
        for (name, run) in [("line decoders (strict = general)", Fuzz.decoders), ("CSV and JSON Lines import", Fuzz.imports),
                            ("amounts and dates", Fuzz.amountsAndDates),
                            ("command line (fledger processes)", { seed, _ in commandLine(seed: seed, cases: cliCases) })] as [(String, (UInt64, Int) -> Fuzz.Report)] {
            let start = Date()
            let r = run(seed, cases)
            print("  " + name.padding(toLength: 34, withPad: " ", startingAt: 0)
                  + String(format: " %9d cases  %6.1f s  %d failures", r.cases, Date().timeIntervalSince(start), r.failures.count)
                  + (r.notes.isEmpty ? "" : "  (\(r.notes))"))
            for f in r.failures.prefix(5) { print("    " + f) }
            if r.failures.isEmpty { passed += 1 } else { failed += 1 }
        }
        print("fuzz: \(passed) passed, \(failed) failed")
        return failed == 0 ? 0 : 1
    }

    /// The fledger binary beside this one.
    static let fledger = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().standardizedFileURL.path + "/fledger"

    /// `fledger` run with generated argument vectors (`Fuzz.argv`) over every command its
    /// `--help` lists, in a scratch directory holding a small journal. Each run must end by
    /// itself (within 30 s) with a documented exit status; a refusal must say why (on stderr, or
    /// in JSON on stdout with `--format json`) and leave the journal's bytes as they were; the
    /// journal must still verify at the end.
    static func commandLine(seed: UInt64, cases: Int) -> Fuzz.Report {
        var rep = Fuzz.Report()
        let scratch = FileManager.default.currentDirectoryPath + "/bench-out/fuzz-cli"
        try? FileManager.default.removeItem(atPath: scratch)
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        // Every file a case names lands in the scratch directory.
        let here = FileManager.default.currentDirectoryPath
        guard chdir(scratch) == 0 else { rep.failures.append("cannot enter \(scratch)"); return rep }
        defer { _ = chdir(here) }
        let journal = scratch + "/j.jsonl", err = scratch + "/stderr.txt", out = scratch + "/stdout.txt"
        let env = ["FLEDGER_JOURNAL": journal, "FLEDGER_ACTOR": "fuzz"]
        /// The exit status and the reason given: stderr, or with `--format json` a rejection on stdout.
        func go(_ args: [String]) -> (status: Int32?, err: String) {
            let status = spawn([fledger] + args, env: env, stdout: out, stderr: err, timeout: 30)
            let e = (try? String(contentsOfFile: err, encoding: .utf8)) ?? "", o = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            return (status, e + (o.contains("\"code\"") || o.contains("\"error\"") ? o : ""))
        }
        let surfaces = Fuzz.surfaces { args in _ = go(args); return (try? String(contentsOfFile: out, encoding: .utf8)) ?? "" }
        guard surfaces.count > 10 else { rep.failures.append("could not read the command list from fledger --help"); return rep }
        newJournal(journal, actor: "fuzz", budget: "100000")
        var r = SplitMix64(seed: seed)
        var exits: [Int32: Int] = [:]
        for _ in 0..<cases {
            let args = Fuzz.argv(&r, r.pick(surfaces))
            let before = FileManager.default.contents(atPath: journal)
            let (status, message) = go(args)
            rep.cases += 1
            let shown = args.map { $0.count > 40 ? String($0.prefix(40)) + "…" : $0 }.joined(separator: " ")
            guard let s = status else { rep.failures.append("killed by a signal or hung: fledger \(shown)"); continue }
            exits[s, default: 0] += 1
            if !(0...6).contains(s) { rep.failures.append("exit \(s), not a documented status: fledger \(shown)") }
            if s != 0 && message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { rep.failures.append("exit \(s) with nothing on stderr: fledger \(shown)") }
            if s != 0 && FileManager.default.contents(atPath: journal) != before { rep.failures.append("exit \(s) but the journal changed: fledger \(shown)") }
        }
        if go(["verify"]).status != 0 { rep.failures.append("the journal no longer verifies") }
        rep.notes = "exit " + exits.keys.sorted().map { "\($0): \(exits[$0]!)" }.joined(separator: ", ")
        return rep
    }

    /// Runs a command to its end, stdin from /dev/null, stdout and stderr to files (discarded by
    /// default). Nil when a signal ended it, or when it ran past `timeout` seconds (it is then
    /// killed). `children` holds its pid while it runs, for the killer to find.
    static func spawn(_ argv: [String], env: [String: String], stdout: String = "/dev/null", stderr: String = "/dev/null",
                      timeout: Double? = nil, children: Children? = nil) -> Int32? {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let cargs = argv.map { strdup($0) } + [nil]
        let cenv = (ProcessInfo.processInfo.environment.merging(trustEnvironment(env)) { $1 }).map { strdup("\($0)=\($1)") } + [nil]
        defer { posix_spawn_file_actions_destroy(&actions); cargs.forEach { free($0) }; cenv.forEach { free($0) } }
        guard posix_spawn(&pid, argv[0], &actions, nil, cargs, cenv) == 0 else { return 127 }
        children?.add(pid)
        defer { children?.remove(pid) }
        var status: Int32 = 0
        if let timeout {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                let w = waitpid(pid, &status, WNOHANG)
                if w == pid { break }
                if w < 0 && errno != EINTR { return nil }
                if Date() > deadline { kill(pid, SIGKILL); while waitpid(pid, &status, 0) < 0 && errno == EINTR {}; return nil }
                usleep(1_000)
            }
        } else {
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : nil
    }

    /// A journal with a unit, 2023 open and an appropriation to spend from; the environment
    /// that points fledger at it.
    @discardableResult
    static func newJournal(_ journal: String, actor: String, budget: String = "100000000") -> [String: String] {
        let env = ["FLEDGER_JOURNAL": journal, "FLEDGER_ACTOR": actor]
        _ = spawn([fledger, "init", "--unit", "1", "--name", "测试单位", "--year", "2023"], env: env)
        _ = spawn([fledger, "post", "appropriation", "--id", "A1", "--date", "2023-01-01", "--fund", "gpb", "--item", "2010350",
                   "--nature", "basic", "--amount", budget, "--doc", "d"], env: env)
        return env
    }

    /// How many lines of the journal carry each event id.
    static func idCounts(_ journal: String) -> [String: Int] {
        var present: [String: Int] = [:]
        for line in ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n") {
            if let r = line.range(of: "\"id\":\""), let e = line[r.upperBound...].firstIndex(of: "\"") { present[String(line[r.upperBound..<e]), default: 0] += 1 }
        }
        return present
    }

    /// `fledger-bench readers --posters P --posts N`: P posters post N disbursements each while
    /// another process runs `budget` and `verify` in a loop. Every read must succeed (readers
    /// take the shared lock, so they never see half a write), the chain must stay intact, and
    /// every acknowledged post must be in the journal exactly once.
    static func readers(posters: Int, posts: Int) -> Int32 {
        let dir = "bench-out/readers"
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let journal = dir + "/j.jsonl"
        let env = newJournal(journal, actor: "readers")
        let acknowledged = Acknowledged(), reads = Counter(), failedReads = Counter(), stop = Counter()
        let readerDone = DispatchSemaphore(value: 0)
        let start = Date()
        let reader = Thread {
            while stop.value == 0 {
                for cmd in [["budget", "--year", "2023", "--format", "csv"], ["verify"]] {
                    reads.add()
                    if spawn([fledger] + cmd, env: env) != 0 { failedReads.add() }
                }
            }
            readerDone.signal()
        }
        reader.start()
        DispatchQueue.concurrentPerform(iterations: posters) { p in
            for k in 0..<posts {
                let id = "R\(p)-\(k)"
                if spawn([fledger, "post", "disbursement", "--id", id, "--date", "2023-03-01", "--fund", "gpb", "--item", "2010350",
                          "--econ", "30101", "--nature", "basic", "--amount", "1.00", "--payee", "x", "--voucher", id], env: env) == 0 { acknowledged.add([id]) }
            }
        }
        stop.add()
        readerDone.wait()
        let verified = spawn([fledger, "verify"], env: env) == 0
        let present = idCounts(journal), ids = acknowledged.ids
        let lost = ids.filter { present[$0] == nil }.count, twice = ids.filter { (present[$0] ?? 0) > 1 }.count
        print("readers: \(posters) posters × \(posts) posts, one reader looping budget and verify, \(String(format: "%.0f", Date().timeIntervalSince(start))) s")
        print("| posts acknowledged | reads | reads failed | lost | duplicated | chain verifies |")
        print("|---|---|---|---|---|---|")
        print("| \(ids.count) of \(posters * posts) | \(reads.value) | \(failedReads.value) | \(lost) | \(twice) | \(verified ? "yes" : "no") |")
        let ok = verified && lost == 0 && twice == 0 && failedReads.value == 0 && ids.count == posters * posts
        print("readers: \(ok ? 1 : 0) passed, \(ok ? 0 : 1) failed")
        return ok ? 0 : 1
    }

    /// Live children, so the killer can pick one.
    final class Children: @unchecked Sendable {
        private var pids = Set<pid_t>()
        private var lock = pthread_mutex_t()
        init() { pthread_mutex_init(&lock, nil) }
        func add(_ p: pid_t) { pthread_mutex_lock(&lock); pids.insert(p); pthread_mutex_unlock(&lock) }
        func remove(_ p: pid_t) { pthread_mutex_lock(&lock); pids.remove(p); pthread_mutex_unlock(&lock) }
        func random(_ r: inout SplitMix64) -> pid_t? {
            pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
            guard !pids.isEmpty else { return nil }
            return Array(pids)[r.below(pids.count)]
        }
    }

    /// Acknowledged event ids, from many threads.
    final class Acknowledged: @unchecked Sendable {
        private var list: [String] = []
        private var lock = pthread_mutex_t()
        init() { pthread_mutex_init(&lock, nil) }
        func add(_ ids: [String]) { pthread_mutex_lock(&lock); list += ids; pthread_mutex_unlock(&lock) }
        var ids: [String] { pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }; return list }
    }

    /// A count from many threads (processes killed, reads made); non-zero also serves as a stop flag.
    final class Counter: @unchecked Sendable {
        private var n = 0
        private var lock = pthread_mutex_t()
        init() { pthread_mutex_init(&lock, nil) }
        func add() { pthread_mutex_lock(&lock); n += 1; pthread_mutex_unlock(&lock) }
        var value: Int { pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }; return n }
    }

    static func crash(trials: Int, posters: Int, posts: Int, seed: UInt64) -> Int32 {
        let dir = "bench-out/crash"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var totalAck = 0, totalKilled = 0, lost = 0, unreadable = 0, repaired = 0, duplicated = 0
        let start = Date()
        for t in 0..<trials {
            let journal = "\(dir)/t\(t).jsonl"
            for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where f.hasPrefix("t\(t).") { unlink("\(dir)/\(f)") }
            let env = newJournal(journal, actor: "crash")
            let children = Children(), acknowledged = Acknowledged(), killed = Counter(), stop = Counter()
            let done = DispatchGroup()
            // Posters, each posting its own ids; an importer posting batches of five.
            for p in 0...posters {
                DispatchQueue.global().async(group: done) {
                    for k in 0..<posts {
                        let ids = p == posters ? (0..<5).map { "I\(t)-\(k)-\($0)" } : ["P\(t)-\(p)-\(k)"]
                        var attempts = 0
                        while attempts < 6 {
                            attempts += 1
                            let status: Int32?
                            if p == posters {
                                let file = "\(dir)/t\(t)-batch\(k).jsonl"
                                let rows = ids.map { "{\"type\":\"disbursement\",\"id\":\"\($0)\",\"date\":\"2023-03-01\",\"fund\":\"gpb\",\"item\":\"2010350\",\"econ\":\"30101\",\"nature\":\"basic\",\"amount\":\"1.00\",\"payee\":\"x\",\"voucher\":\"v\"}" }
                                _ = FileManager.default.createFile(atPath: file, contents: Data((rows.joined(separator: "\n") + "\n").utf8))
                                status = spawn([fledger, "import", file], env: env, children: children)
                            } else {
                                status = spawn([fledger, "post", "disbursement", "--id", ids[0], "--date", "2023-03-01", "--fund", "gpb", "--item", "2010350",
                                                "--econ", "30101", "--nature", "basic", "--amount", "1.00", "--payee", "x", "--voucher", "v"], env: env, children: children)
                            }
                            if status == 0 { acknowledged.add(ids); break }
                            if status == 3 { _ = spawn([fledger, "repair"], env: env, children: children) }   // what an operator does
                        }
                    }
                }
            }
            // And one large import, past the 16 MB at which a batch is written as it is judged
            // (under a marker whose end is not yet known): killed in the middle, it must leave
            // nothing of itself once repaired; acknowledged, all of it.
            DispatchQueue.global().async(group: done) {
                let ids = (0..<60_000).map { "L\(t)-\($0)" }
                let file = "\(dir)/t\(t)-large.jsonl"
                let rows = ids.map { "{\"type\":\"disbursement\",\"id\":\"\($0)\",\"date\":\"2023-03-01\",\"fund\":\"gpb\",\"item\":\"2010350\",\"econ\":\"30101\",\"nature\":\"basic\",\"amount\":\"0.01\",\"payee\":\"大批导入\",\"voucher\":\"记-03-大批\",\"memo\":\"一次导入六万行，超过边校验边写入的门槛\"}" }
                _ = FileManager.default.createFile(atPath: file, contents: Data((rows.joined(separator: "\n") + "\n").utf8))
                // Killed at a random moment of its run twice (its own killer: the shared one
                // would nearly always stop it before it writes), then left to finish.
                var r = SplitMix64(seed: seed &+ UInt64(t) &+ 7)
                for attempt in 0..<3 {
                    let timeout: Double? = attempt < 2 ? 0.1 + Double(r.below(1_500)) / 1_000 : nil
                    let status = spawn([fledger, "import", file], env: env, timeout: timeout)
                    if status == nil { killed.add() }
                    if status == 0 { acknowledged.add(ids); break }
                    if status == 3 || status == nil { _ = spawn([fledger, "repair"], env: env, children: children) }
                }
            }
            // The killer.
            let killer = Thread {
                var r = SplitMix64(seed: seed &+ UInt64(t))
                while stop.value == 0 {
                    usleep(UInt32(3_000 + r.below(40_000)))
                    if let pid = children.random(&r), kill(pid, SIGKILL) == 0 { killed.add() }
                }
            }
            killer.start()
            done.wait()
            stop.add()
            usleep(50_000)
            // The journal verifies, after repair when only an unacknowledged tail was left.
            if spawn([fledger, "verify"], env: env) != 0 {
                repaired += 1
                _ = spawn([fledger, "repair"], env: env)
                if spawn([fledger, "verify"], env: env) != 0 { unreadable += 1 }
            }
            let present = idCounts(journal), ids = acknowledged.ids
            for id in ids {
                if present[id] == nil { lost += 1 }
                if (present[id] ?? 0) > 1 { duplicated += 1 }
            }
            totalAck += ids.count
            totalKilled += killed.value
        }
        let secs = Date().timeIntervalSince(start)
        print("crash: \(trials) trials, \(posters) posters and 1 importer each, \(String(format: "%.0f", secs)) s")
        print("| trials | processes killed | posts acknowledged | lost | duplicated | journals repaired | journals unreadable |")
        print("|---|---|---|---|---|---|---|")
        print("| \(trials) | \(totalKilled) | \(totalAck) | \(lost) | \(duplicated) | \(repaired) | \(unreadable) |")
        let ok = lost == 0 && unreadable == 0 && duplicated == 0
        print("crash: \(ok ? 1 : 0) passed, \(ok ? 0 : 1) failed")
        return ok ? 0 : 1
    }
}

/// The trust directory of the processes a harness or the benchmark runs: beside their journal,
/// never the user's own pins (unless FLEDGER_TRUST_DIR is set already).
func trustEnvironment(_ env: [String: String]) -> [String: String] {
    var e = env
    if e["FLEDGER_TRUST_DIR"] == nil, ProcessInfo.processInfo.environment["FLEDGER_TRUST_DIR"] == nil, let j = env["FLEDGER_JOURNAL"], !j.isEmpty {
        e["FLEDGER_TRUST_DIR"] = URL(fileURLWithPath: j).deletingLastPathComponent().appendingPathComponent("trust").path
    }
    return e
}
