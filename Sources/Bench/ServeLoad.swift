import Foundation
import Glibc

/// `fledger-bench serve [--journal J] [--clients 50] [--seconds 60] [--year Y]`: starts
/// `fledger serve` on a free loopback port and has `--clients` clients load its pages for
/// `--seconds` seconds, each request on its own connection, mixing the overview, the budget
/// (by item and by project), the journal (newest and filtered), an event, a statement table, a
/// trace and the document. Prints, per page, the requests, errors, p50, p99 and the slowest, the
/// server's start-up time (to its first overview) and its resident memory before and after the
/// load. Any error (a status other than 200, a refused or dropped connection) fails the run.
/// Without --journal it serves a copy of Journal/journal.jsonl.
enum ServeLoad {
    static func main(_ args: [String]) -> Int32 {
        var journal: String?
        var clients = 50, seconds = 60, year = 2023
        var k = 1
        while k < args.count {
            guard k + 1 < args.count else { return usage("\(args[k]) needs a value") }
            let v = args[k + 1]
            switch args[k] {
            case "--journal": journal = v
            case "--clients": guard let n = Int(v), (1...500).contains(n) else { return usage("--clients 1–500") }; clients = n
            case "--seconds": guard let n = Int(v), (1...3600).contains(n) else { return usage("--seconds 1–3600") }; seconds = n
            case "--year": guard let n = Int(v) else { return usage("--year Y") }; year = n
            default: return usage("unknown option \(args[k])")
            }
            k += 2
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-bench-serve-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path: String
        if let journal { path = journal } else {
            path = dir + "/journal.jsonl"
            for f in ["journal.jsonl", "catalogue.tsv"] { try? FileManager.default.copyItem(atPath: "Journal/" + f, toPath: dir + "/" + f) }
            guard FileManager.default.fileExists(atPath: path) else { return usage("no --journal and no Journal/journal.jsonl here") }
        }
        // The server, its address read from what it prints.
        let log = dir + "/serve.log"
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, log + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = [Harness.fledger, "serve", "--journal", path, "--listen", "127.0.0.1:0"]
        let cargs = argv.map { strdup($0) } + [nil]
        let cenv = ProcessInfo.processInfo.environment.map { strdup("\($0)=\($1)") } + [nil]
        let started = Date()
        guard posix_spawn(&pid, argv[0], &actions, nil, cargs, cenv) == 0 else { return usage("cannot start \(argv[0])") }
        posix_spawn_file_actions_destroy(&actions); cargs.forEach { free($0) }; cenv.forEach { free($0) }
        var stopped = false
        defer {
            if !stopped { kill(pid, SIGKILL); var status: Int32 = 0; while waitpid(pid, &status, 0) < 0 && errno == EINTR {} }
        }
        var port: UInt16?
        for _ in 0..<6000 {   // at most 10 minutes for a large journal
            if let text = try? String(contentsOfFile: log, encoding: .utf8), let r = text.range(of: "http://127.0.0.1:") {
                port = UInt16(text[r.upperBound...].prefix { $0.isNumber })
                if port != nil { break }
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return usage("fledger serve exited: " + ((try? String(contentsOfFile: log + ".err", encoding: .utf8)) ?? "")) }
            usleep(100_000)
        }
        guard let port else { return usage("fledger serve did not say where it listens") }
        guard get(port, "/").status == 200 else { return usage("the overview did not answer 200") }
        let startup = Date().timeIntervalSince(started)
        let rssBefore = rss(pid)
        // An event and a cell to ask for: the newest event, and 表3's 合计 of 本年支出.
        let journalPage = get(port, "/journal").body
        let event = journalPage.range(of: "href=\"/event/").map { String(journalPage[$0.upperBound...].prefix { $0 != "\"" }) } ?? "none"
        let pages: [(String, String)] = [
            ("overview", "/"),
            ("budget by item", "/budget?year=\(year)&by=item"),
            ("budget by project", "/budget?year=\(year)&by=project"),
            ("journal, newest", "/journal"),
            ("journal, filtered", "/journal?kind=disbursement&item=201"),
            ("event", "/event/\(event)"),
            ("statements 表3", "/statements/\(year)/3"),
            ("trace 表3 cell", "/trace?year=\(year)&table=3&row=total&column=basic"),
            ("document", "/report/\(year)"),
        ]
        print("serve load: \(clients) clients × \(seconds) s on 127.0.0.1:\(port); journal \(path); start-up to the first overview \(String(format: "%.2f", startup)) s")
        // Each page once, one at a time: after start-up (nothing made yet), then after a
        // `fledger post` from another process (the server sees it on the next load).
        func pass() -> [Double] {
            pages.map { p in
                let t0 = Date()
                let r = get(port, p.1)
                if r.status != 200 { print("error: \(p.1): status \(r.status) \(r.body.prefix(200))") }
                return r.status == 200 ? Date().timeIntervalSince(t0) : .infinity
            }
        }
        let cold = pass()
        var posted = false
        for y in [year, year + 1] where !posted {
            let argv = [Harness.fledger, "post", "disbursement", "--id", "SERVE-BENCH-\(getpid())-\(y)", "--date", "\(y)-12-31", "--fund", "gpb",
                        "--item", "2010350", "--econ", "30201", "--nature", "basic", "--amount", "1.00", "--payee", "基准", "--voucher", "记-12-SB",
                        "--override", "benchmark post"]
            posted = Harness.spawn(argv, env: ["FLEDGER_JOURNAL": path, "FLEDGER_ACTOR": "bench"]) == 0
        }
        if !posted { print("note: the post into the journal was refused (no open year \(year) or \(year + 1)); the second pass is not after a write") }
        let afterPost = pass()
        if afterPost.contains(.infinity) || cold.contains(.infinity) { return 1 }
        final class Collected: @unchecked Sendable {
            let lock = NSLock()
            var latencies: [[Double]]
            var errors: [Int]
            var firstErrors: [String] = []
            init(_ n: Int) { latencies = Array(repeating: [], count: n); errors = Array(repeating: 0, count: n) }
        }
        let all = Collected(pages.count)
        let deadline = Date().addingTimeInterval(Double(seconds))
        // One thread per client (a thread pool would run only as many clients as there are cores).
        let finished = DispatchSemaphore(value: 0)
        for c in 0..<clients {
          Thread {
            var n = c
            var mine = [[Double]](repeating: [], count: pages.count)
            var bad = [Int](repeating: 0, count: pages.count)
            var notes: [String] = []
            while Date() < deadline {
                let p = n % pages.count
                n += 1
                let t0 = Date()
                let r = get(port, pages[p].1)
                let dt = Date().timeIntervalSince(t0)
                if r.status == 200 { mine[p].append(dt) } else {
                    bad[p] += 1
                    if notes.count < 3 { notes.append("\(pages[p].1): status \(r.status) \(r.body.prefix(200))") }
                }
            }
            all.lock.lock()
            for p in pages.indices { all.latencies[p] += mine[p]; all.errors[p] += bad[p] }
            all.firstErrors += notes
            all.lock.unlock()
            finished.signal()
          }.start()
        }
        for _ in 0..<clients { finished.wait() }
        let rssAfter = rss(pid)
        let (latencies, errors, firstErrors) = (all.latencies, all.errors, all.firstErrors)
        func ms(_ x: Double) -> String { String(format: "%.1f ms", x * 1000) }
        print("| page | first load after start-up | first load after a post | \(clients) clients: requests | errors | p50 | p99 | slowest |")
        print("|---|---|---|---|---|---|---|---|")
        var totalErrors = 0
        for (p, page) in pages.enumerated() {
            let l = latencies[p].sorted()
            func q(_ f: Double) -> String { l.isEmpty ? "—" : String(format: "%.1f ms", l[min(l.count - 1, Int(Double(l.count) * f))] * 1000) }
            print("| \(page.0) (`\(page.1)`) | \(ms(cold[p])) | \(ms(afterPost[p])) | \(l.count + errors[p]) | \(errors[p]) | \(q(0.5)) | \(q(0.99)) | \(l.last.map { String(format: "%.1f ms", $0 * 1000) } ?? "—") |")
            totalErrors += errors[p]
        }
        print("server resident memory: \(rssBefore / 1024) MB after start-up, \(rssAfter / 1024) MB after the load")
        for e in firstErrors.prefix(10) { print("error: \(e)") }
        // It must stop when asked, within 10 s.
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<100 where !stopped {
            if waitpid(pid, &status, WNOHANG) == pid { stopped = true } else { usleep(100_000) }
        }
        if !stopped { print("error: fledger serve did not stop within 10 s of SIGTERM") }
        return totalErrors == 0 && stopped ? 0 : 1
    }

    static func usage(_ why: String) -> Int32 {
        FileHandle.standardError.write(Data("fledger-bench serve: \(why)\nusage: fledger-bench serve [--journal J] [--clients 50] [--seconds 60] [--year 2023]\n".utf8))
        return 2
    }

    /// Resident memory of a process, in KB.
    static func rss(_ pid: pid_t) -> Int {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// One GET on its own connection (30 s at most); status 0 when the connection failed.
    static func get(_ port: UInt16, _ path: String) -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return (0, "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr)
        let ok = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else { return (0, "connect: \(String(cString: strerror(errno)))") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return (0, "send failed") }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            out += buf[..<n]
        }
        let text = String(decoding: out, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 "), let status = Int(text.dropFirst(9).prefix(3)) else { return (0, "no response") }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }
}
