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

    /// `fledger` run with generated argument vectors (`Fuzz.argv`) over every command its
    /// `--help` lists, in a scratch directory holding a small journal. Each run must end by
    /// itself (within 30 s) with a documented exit status; a refusal must say why (on stderr, or
    /// in JSON on stdout with `--format json`) and
    /// leave the journal's bytes as they were; the journal must still verify at the end.
    static func commandLine(seed: UInt64, cases: Int) -> Fuzz.Report {
        var rep = Fuzz.Report()
        let fledger = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().standardizedFileURL.path + "/fledger"
        let scratch = FileManager.default.currentDirectoryPath + "/bench-out/fuzz-cli"
        try? FileManager.default.removeItem(atPath: scratch)
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let journal = scratch + "/j.jsonl", err = scratch + "/stderr.txt", out = scratch + "/stdout.txt"
        let env = ["FLEDGER_JOURNAL": journal, "FLEDGER_ACTOR": "fuzz"]
        /// The exit status and the reason given: stderr, or with `--format json` a rejection on stdout.
        func go(_ args: [String]) -> (status: Int32?, err: String) {
            let status = runCase([fledger] + args, env: env, cwd: scratch, stdout: out, stderr: err, timeout: 30)
            let e = (try? String(contentsOfFile: err, encoding: .utf8)) ?? "", o = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            return (status, e + (o.contains("\"code\"") || o.contains("\"error\"") ? o : ""))
        }
        // The command surface, from the help texts.
        var surfaces: [Fuzz.CommandSurface] = []
        let main = captureStdout([fledger, "--help"], env: env)
        let commands = main.components(separatedBy: "Commands:\n").last?.components(separatedBy: "\n\n").first?
            .split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) } ?? []
        for c in commands {
            let help = captureStdout([fledger, c, "--help"], env: env)
            let usage = help.split(separator: "\n").first { $0.hasPrefix("Usage: fledger ") }?.split(separator: " ") ?? []
            if usage.count > 3, usage[3].contains("|"), usage[3] == usage[3].lowercased() {
                for sub in usage[3].split(separator: "|") { surfaces.append(Fuzz.surface(words: [c, String(sub)], help: help)) }
            }
            surfaces.append(Fuzz.surface(words: [c], help: help))
        }
        guard surfaces.count > 10 else { rep.failures.append("could not read the command list from fledger --help"); return rep }
        _ = go(["init", "--unit", "1", "--name", "模糊测试", "--year", "2023"])
        _ = go(["post", "appropriation", "--id", "A1", "--date", "2023-01-01", "--fund", "gpb", "--item", "2010350", "--nature", "basic", "--amount", "100000", "--doc", "d"])
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
            if ProcessInfo.processInfo.environment["FUZZ_DEBUG"] != nil { print("\(s) \(shown) :: \(message.prefix(150))") }
            if !(0...6).contains(s) { rep.failures.append("exit \(s), not a documented status: fledger \(shown)") }
            if s != 0 && message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { rep.failures.append("exit \(s) with nothing on stderr: fledger \(shown)") }
            if s != 0 && FileManager.default.contents(atPath: journal) != before { rep.failures.append("exit \(s) but the journal changed: fledger \(shown)") }
        }
        if go(["verify"]).status != 0 { rep.failures.append("the journal no longer verifies") }
        rep.notes = "exit " + exits.keys.sorted().map { "\($0): \(exits[$0]!)" }.joined(separator: ", ")
        return rep
    }

    /// Runs a command in `cwd` with stdin from /dev/null and stdout and stderr to files;
    /// nil when a signal ended it or it ran past `timeout` seconds (then it is killed).
    static func runCase(_ argv: [String], env: [String: String], cwd: String, stdout: String, stderr: String, timeout: Double) -> Int32? {
        let here = FileManager.default.currentDirectoryPath
        guard chdir(cwd) == 0 else { return 127 }
        defer { _ = chdir(here) }
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let cargs = argv.map { strdup($0) } + [nil]
        let cenv = (ProcessInfo.processInfo.environment.merging(env) { $1 }).map { strdup("\($0)=\($1)") } + [nil]
        defer { posix_spawn_file_actions_destroy(&actions); cargs.forEach { free($0) }; cenv.forEach { free($0) } }
        guard posix_spawn(&pid, argv[0], &actions, nil, cargs, cenv) == 0 else { return 127 }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let w = waitpid(pid, &status, WNOHANG)
            if w == pid { break }
            if w < 0 && errno != EINTR { return nil }
            if Date() > deadline { kill(pid, SIGKILL); while waitpid(pid, &status, 0) < 0 && errno == EINTR {}; return nil }
            usleep(1_000)
        }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : nil
    }

    static func captureStdout(_ argv: [String], env: [String: String]) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let out = Pipe()
        p.standardOutput = out
        guard (try? p.run()) != nil else { return "" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// `fledger-bench readers --posters P --posts N`: P posters post N disbursements each while
    /// another process runs `budget` and `verify` in a loop. Every read must succeed (readers
    /// take the shared lock, so they never see half a write), the chain must stay intact, and
    /// every acknowledged post must be in the journal exactly once.
    static func readers(posters: Int, posts: Int) -> Int32 {
        let fledger = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/fledger"
        let dir = "bench-out/readers"
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let journal = dir + "/j.jsonl"
        let env = ["FLEDGER_JOURNAL": journal, "FLEDGER_ACTOR": "readers"]
        let quiet = Children()
        _ = run([fledger, "init", "--unit", "1", "--name", "读写测试", "--year", "2023"], env: env, children: quiet)
        _ = run([fledger, "post", "appropriation", "--date", "2023-01-01", "--fund", "gpb", "--item", "2010350", "--nature", "basic",
                 "--amount", "100000000", "--doc", "d", "--id", "A"], env: env, children: quiet)
        let tally = Tally(), reads = Tally(), failedReads = Tally(), stop = Tally()
        let readerDone = DispatchSemaphore(value: 0)
        let start = Date()
        let reader = Thread {
            while stop.killed == 0 {
                for cmd in [["budget", "--year", "2023", "--format", "csv"], ["verify"]] {
                    reads.kill()
                    if run([fledger] + cmd, env: env, children: quiet) != 0 { failedReads.kill() }
                }
            }
            readerDone.signal()
        }
        reader.start()
        DispatchQueue.concurrentPerform(iterations: posters) { p in
            for k in 0..<posts {
                let id = "R\(p)-\(k)"
                if run([fledger, "post", "disbursement", "--id", id, "--date", "2023-03-01", "--fund", "gpb", "--item", "2010350",
                        "--econ", "30101", "--nature", "basic", "--amount", "1.00", "--payee", "x", "--voucher", id], env: env, children: quiet) == 0 { tally.ack([id]) }
            }
        }
        stop.kill()
        readerDone.wait()
        let verified = run([fledger, "verify"], env: env, children: quiet) == 0
        var present: [String: Int] = [:]
        for line in ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n") {
            if let r = line.range(of: "\"id\":\""), let e = line[r.upperBound...].firstIndex(of: "\"") { present[String(line[r.upperBound..<e]), default: 0] += 1 }
        }
        let lost = tally.acknowledged.filter { present[$0] == nil }.count, twice = tally.acknowledged.filter { (present[$0] ?? 0) > 1 }.count
        print("readers: \(posters) posters × \(posts) posts, one reader looping budget and verify, \(String(format: "%.0f", Date().timeIntervalSince(start))) s")
        print("| posts acknowledged | reads | reads failed | lost | duplicated | chain verifies |")
        print("|---|---|---|---|---|---|")
        print("| \(tally.acknowledged.count) of \(posters * posts) | \(reads.killed) | \(failedReads.killed) | \(lost) | \(twice) | \(verified ? "yes" : "no") |")
        let ok = verified && lost == 0 && twice == 0 && failedReads.killed == 0 && tally.acknowledged.count == posters * posts
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

    /// Runs a command to its end; nil when a signal ended it.
    static func run(_ argv: [String], env: [String: String], children: Children) -> Int32? {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let cargs = argv.map { strdup($0) } + [nil]
        let cenv = (ProcessInfo.processInfo.environment.merging(env) { $1 }).map { strdup("\($0)=\($1)") } + [nil]
        defer { posix_spawn_file_actions_destroy(&actions); cargs.forEach { free($0) }; cenv.forEach { free($0) } }
        guard posix_spawn(&pid, argv[0], &actions, nil, cargs, cenv) == 0 else { return 127 }
        children.add(pid)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        children.remove(pid)
        return status & 0x7f == 0 ? (status >> 8) & 0xff : nil
    }

    final class Tally: @unchecked Sendable {
        var acknowledged: [String] = []
        var killed = 0
        private var lock = pthread_mutex_t()
        init() { pthread_mutex_init(&lock, nil) }
        func ack(_ ids: [String]) { pthread_mutex_lock(&lock); acknowledged += ids; pthread_mutex_unlock(&lock) }
        func kill() { pthread_mutex_lock(&lock); killed += 1; pthread_mutex_unlock(&lock) }
    }

    static func crash(trials: Int, posters: Int, posts: Int, seed: UInt64) -> Int32 {
        let fledger = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/fledger"
        let dir = "bench-out/crash"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var totalAck = 0, totalKilled = 0, lost = 0, unreadable = 0, repaired = 0, duplicated = 0
        let start = Date()
        for t in 0..<trials {
            let journal = "\(dir)/t\(t).jsonl"
            for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where f.hasPrefix("t\(t).") { unlink("\(dir)/\(f)") }
            let env = ["FLEDGER_JOURNAL": journal, "FLEDGER_ACTOR": "crash"]
            let quiet = Children()
            _ = run([fledger, "init", "--unit", "1", "--name", "崩溃测试", "--year", "2023"], env: env, children: quiet)
            _ = run([fledger, "post", "appropriation", "--date", "2023-01-01", "--fund", "gpb", "--item", "2010350", "--nature", "basic",
                     "--amount", "100000000", "--doc", "d", "--id", "A"], env: env, children: quiet)
            let children = Children(), tally = Tally()
            let done = DispatchGroup()
            let stop = Tally()   // its `killed` counter doubles as the stop flag
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
                                status = run([fledger, "import", file], env: env, children: children)
                            } else {
                                status = run([fledger, "post", "disbursement", "--id", ids[0], "--date", "2023-03-01", "--fund", "gpb", "--item", "2010350",
                                              "--econ", "30101", "--nature", "basic", "--amount", "1.00", "--payee", "x", "--voucher", "v"], env: env, children: children)
                            }
                            if status == 0 { tally.ack(ids); break }
                            if status == 3 { _ = run([fledger, "repair"], env: env, children: children) }   // what an operator does
                        }
                    }
                }
            }
            // The killer.
            let killer = Thread {
                var r = SplitMix64(seed: seed &+ UInt64(t))
                while stop.killed == 0 {
                    usleep(UInt32(3_000 + r.below(40_000)))
                    if let pid = children.random(&r), kill(pid, SIGKILL) == 0 { tally.kill() }
                }
            }
            killer.start()
            done.wait()
            stop.kill()
            usleep(50_000)
            // The journal verifies, after repair when only an unacknowledged tail was left.
            if run([fledger, "verify"], env: env, children: quiet) != 0 {
                repaired += 1
                _ = run([fledger, "repair"], env: env, children: quiet)
                if run([fledger, "verify"], env: env, children: quiet) != 0 { unreadable += 1 }
            }
            let lines = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
            var present: [String: Int] = [:]
            for line in lines.split(separator: "\n") {
                if let r = line.range(of: "\"id\":\""), let e = line[r.upperBound...].firstIndex(of: "\"") { present[String(line[r.upperBound..<e]), default: 0] += 1 }
            }
            for id in tally.acknowledged {
                if present[id] == nil { lost += 1 }
                if (present[id] ?? 0) > 1 { duplicated += 1 }
            }
            totalAck += tally.acknowledged.count
            totalKilled += tally.killed
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
