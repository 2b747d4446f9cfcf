import Foundation
import Glibc
import Ledger
import Testing
import Web

/// The web front end at the HTTP level, without a browser: a server on an ephemeral loopback
/// port, spoken to over raw sockets (so oversized and malformed requests can be sent).
enum Fixture {
    static let catalogue = try! Catalogue.builtIn()

    static func tempDir() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-web-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A journal with a unit, 2023, one appropriation and `n` disbursements (the last with `payee`).
    static func journal(_ dir: String, disbursements n: Int, payee: String = "职工工资") throws -> JournalStore {
        let store = JournalStore(path: dir + "/j.jsonl", catalogue: catalogue, clock: .fixed(Timestamp("2024-01-05T08:30:00Z")!))
        _ = try store.initialise(Draft(fields: ["unit": "505001", "name": "泸州市政务服务和公共资源交易中心", "date": "2023-01-01", "actor": "王会计", "id": "U1"])).get()
        var drafts = [Draft(fields: ["type": "appropriation", "id": "A1", "date": "2023-01-01", "fund": "gpb", "item": "2010350", "nature": "basic",
                                     "amount": "467.42万", "doc": "泸财预〔2023〕1号", "actor": "王会计"])]
        for k in 1...n {
            drafts.append(Draft(fields: ["type": "disbursement", "id": "D\(k)", "date": "2023-02-01", "fund": "gpb", "item": "2010350", "econ": "30101",
                                         "nature": "basic", "amount": "\(k).00", "payee": k == n ? payee : "职工工资", "voucher": "记-02-\(k)", "actor": "李出纳"]))
        }
        guard case .committed = try store.post(drafts) else { throw Failure.rejected }
        return store
    }

    enum Failure: Error { case rejected }
}

/// A running server and its journal; `stop` ends both and removes the directory.
final class Running {
    let dir: String
    let store: JournalStore
    let books: Books
    let server: HTTPServer

    init(disbursements: Int = 3, payee: String = "职工工资", limits: HTTPServer.Limits = HTTPServer.Limits()) throws {
        dir = Fixture.tempDir()
        store = try Fixture.journal(dir, disbursements: disbursements, payee: payee)
        books = Books(store: store)
        let app = WebApp(books: books)
        server = try HTTPServer(listen: "127.0.0.1:0", limits: limits) { app.handle($0) }
        server.start()
    }

    func stop() {
        server.stop()
        books.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    struct Response { var status: Int; var headers: [String: String]; var body: String }

    /// Sends `raw` bytes and reads the response until the server closes (every request here
    /// says `Connection: close`). Bounded: 10 s of socket timeout at most.
    func send(_ raw: [UInt8]) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = server.port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr)
        let ok = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(ok == 0)
        var done = 0
        while done < raw.count {
            let n = raw.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }   // the server may refuse and close before reading everything
            done += n
        }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { break }
            out += buf[..<n]
        }
        let text = String(decoding: out, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return Response(status: 0, headers: [:], body: text) }
        let head = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for h in head.dropFirst() { if let c = h.firstIndex(of: ":") { headers[h[..<c].lowercased()] = h[h.index(after: c)...].trimmingCharacters(in: .whitespaces) } }
        return Response(status: status, headers: headers, body: String(text[split.upperBound...]))
    }

    func get(_ path: String) throws -> Response {
        try send(Array("GET \(path) HTTP/1.1\r\nHost: localhost:1\r\nConnection: close\r\n\r\n".utf8))
    }
}

@Suite(.serialized) struct WebTests {
    @Test func statusCodesAndHeaders() throws {
        let r = try Running()
        defer { r.stop() }
        let home = try r.get("/")
        #expect(home.status == 200)
        #expect(home.headers["content-security-policy"] == "default-src 'self'")
        #expect(home.headers["x-content-type-options"] == "nosniff")
        #expect(home.body.contains("lang=\"zh-CN\""))
        #expect(home.body.contains("泸州市政务服务和公共资源交易中心"))
        for path in ["/budget?year=2023", "/budget?year=2023&by=econ", "/journal", "/event/D1", "/statements/2023", "/statements/2023/3",
                     "/trace?year=2023&table=3&row=2010350&column=total", "/check", "/static/app.css", "/statements", "/report"] {
            #expect(try r.get(path).status == 200, "\(path)")
        }
        for path in ["/nope", "/budget/x", "/statements/2023/3/x", "/static/../Package.swift", "/static/app.js", "/event/NOPE"] {
            #expect(try r.get(path).status == 404, "\(path)")
        }
        let bad: [(String, String)] = [("/budget?year=abc", "year"), ("/budget?year=2023&by=colour", "by"), ("/budget?year=2023&as-of=2023-02-30", "as-of"),
                                       ("/budget?year=2023&unit=usd", "unit"), ("/journal?kind=nosuch", "kind"), ("/journal?item=20x", "item"),
                                       ("/journal?from=2023-13-01", "from"), ("/journal?before=-5", "before"), ("/statements/2023/14", "table"),
                                       ("/trace?year=2023&table=0&row=total&column=total", "table"), ("/event/%3Cbad%3E", "id")]
        for (path, name) in bad {
            let resp = try r.get(path)
            #expect(resp.status == 400, "\(path)")
            #expect(resp.body.contains(name + "："), "\(path) names \(name)")
        }
        let post = try r.send(Array("POST /budget HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
        #expect(post.status == 405)
        let malformed = try r.send(Array("NONSENSE\r\n\r\n".utf8))
        #expect(malformed.status == 400)
        // A name pointed at 127.0.0.1 by someone else's DNS is not this machine.
        let rebound = try r.send(Array("GET / HTTP/1.1\r\nHost: evil.example:8080\r\nConnection: close\r\n\r\n".utf8))
        #expect(rebound.status == 400)
        #expect(!rebound.body.contains("泸州"))
        let noHost = try r.send(Array("GET / HTTP/1.1\r\nConnection: close\r\n\r\n".utf8))
        #expect(noHost.status == 400)
    }

    @Test func budgetFiguresLinkToTheirEvents() throws {
        let r = try Running(disbursements: 3)
        defer { r.stop() }
        let page = try r.get("/budget?year=2023&by=item")
        // 467.42万 appropriated, 1 + 2 + 3 yuan spent: 执行数 0.00 万元 rounds; in yuan 6.00.
        #expect(page.body.contains("467.42"))
        let yuan = try r.get("/budget?year=2023&by=item&unit=yuan")
        #expect(yuan.body.contains(">6.00</a>"))
        #expect(yuan.body.contains("/trace?year=2023&amp;table=3&amp;row=2010350&amp;column=total"))
        let trace = try r.get("/trace?year=2023&table=3&row=2010350&column=total")
        for id in ["D1", "D2", "D3"] { #expect(trace.body.contains("/event/\(id)")) }
        #expect(trace.body.contains("合计等于单元格"))
        let table = try r.get("/statements/2023/3")
        #expect(table.body.contains("<a href=\"/trace?year=2023&amp;table=3&amp;row=2010350&amp;column=total\">0.00</a>"))
        let event = try r.get("/event/D3")
        #expect(event.body.contains("/trace?year=2023&amp;table=3&amp;row=2010350&amp;column=total"))
        let csv = try r.get("/budget?year=2023&by=item&format=csv")
        #expect(csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(csv.body.hasPrefix("code,name,budget_initial,adjustments,budget,actual,available,rate\n"))
        #expect(csv.body.contains("2010350,事业运行,4674200.00,0.00,4674200.00,6.00,4674194.00,0.00"))
        let json = try r.get("/budget?year=2023&by=item&format=json")
        #expect(json.body.contains("\"actual\":600"))
    }

    /// The downloads are the bytes `fledger budget --format csv|json` prints, for every view.
    @Test func downloadsEqualTheCommandLine() throws {
        let r = try Running(disbursements: 4)
        defer { r.stop() }
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let binary = [dir, dir.deletingLastPathComponent()].map { $0.appendingPathComponent("fledger").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let binary else { Issue.record("the fledger binary is not built beside the tests"); return }
        for view in ["item", "project", "econ", "fund", "nature", "sangong"] {
            for format in ["csv", "json"] {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: binary)
                p.arguments = ["budget", "--journal", r.store.path, "--year", "2023", "--by", view, "--format", format]
                let pipe = Pipe()
                p.standardOutput = pipe
                try p.run()
                let cli = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                p.waitUntilExit()
                let web = try r.get("/budget?year=2023&by=\(view)&format=\(format)")
                #expect(web.status == 200)
                #expect(web.body == cli, "\(view) \(format)")
            }
        }
    }

    @Test func journalTextIsEscaped() throws {
        let r = try Running(disbursements: 2, payee: "<script>alert(1)</script>")
        defer { r.stop() }
        for path in ["/event/D2", "/journal", "/journal?text=alert"] {
            let page = try r.get(path)
            #expect(page.status == 200)
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path)")
            #expect(!page.body.contains("<script>"), "\(path)")
        }
        // A query value is escaped where the page repeats it.
        let echoed = try r.get("/journal?text=%22%3E%3Cscript%3Ex%3C%2Fscript%3E")
        #expect(!echoed.body.contains("<script>"))
        let notFound = try r.get("/%3Cscript%3E")
        #expect(notFound.status == 404)
        #expect(!notFound.body.contains("<script>"))
    }

    @Test func limits() throws {
        var limits = HTTPServer.Limits()
        limits.headerSeconds = 0.5
        let r = try Running(limits: limits)
        defer { r.stop() }
        let big = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + String(repeating: "a", count: 20_000) + "\r\nConnection: close\r\n\r\n"
        let h = try r.send(Array(big.utf8))
        #expect(h.status == 431)
        let body = try r.send(Array("POST /check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 30000000\r\nConnection: close\r\n\r\n".utf8))
        #expect(body.status == 413)
        // A client that sends half a request and stops is answered 408 when its time is up.
        let slow = try r.send(Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8))
        #expect(slow.status == 408)
        // The server still answers afterwards.
        #expect(try r.get("/").status == 200)
    }

    @Test func boundedConnections() throws {
        var limits = HTTPServer.Limits()
        limits.connections = 1
        limits.headerSeconds = 3
        let r = try Running(limits: limits)
        defer { r.stop() }
        // One client connects and says nothing: it holds the only place.
        let idle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = r.server.port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr)
        let ok = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(idle, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(ok == 0)
        usleep(300_000)   // the server accepts it
        #expect(try r.get("/").status == 503)
        close(idle)
        // Once it is gone (the server notices within its timeout) the next client is served.
        var status = 0
        for _ in 0..<40 where status != 200 { usleep(100_000); status = try r.get("/").status }
        #expect(status == 200)
    }

    @Test func onlyLoopback() {
        for address in ["0.0.0.0:0", "192.168.1.10:8080", "example.com:80", "127.0.0.1", "127.0.0.1:99999"] {
            #expect(throws: ServerError.self, "\(address)") { _ = try HTTPServer(listen: address) { _ in HTTPResponse.text(200, "") } }
        }
    }

    @Test func aTraceIsListedAPageAtATime() throws {
        let r = try Running(disbursements: 250)
        defer { r.stop() }
        let first = try r.get("/trace?year=2023&table=3&row=2010350&column=total")
        #expect(first.body.components(separatedBy: "<tr><td class=\"num\">").count - 1 == WebApp.traceRows)
        #expect(first.body.contains("共 250 笔"))
        #expect(first.body.contains("合计等于单元格"))
        let second = try r.get("/trace?year=2023&table=3&row=2010350&column=total&from=200")
        #expect(second.body.components(separatedBy: "<tr><td class=\"num\">").count - 1 == 50)
        #expect(try r.get("/trace?year=2023&table=3&row=2010350&column=total&from=-1").status == 400)
    }

    @Test func paginationIsNewestFirstWithACursor() throws {
        let r = try Running(disbursements: 120)
        defer { r.stop() }
        var seen: [Int] = []
        var path: String? = "/journal?kind=disbursement"
        var pages = 0
        while let p = path, pages < 10 {
            let page = try r.get(p)
            #expect(page.status == 200)
            let seqs = page.body.components(separatedBy: "<tr><td class=\"num\">").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
            #expect(seqs.count <= WebApp.pageSize)
            seen += seqs
            path = page.body.range(of: "id=\"next\" rel=\"next\" href=\"").map { m in
                String(page.body[m.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            }
            pages += 1
        }
        #expect(pages == 3)
        #expect(seen.count == 120)
        #expect(seen == seen.sorted(by: >))
        #expect(Set(seen).count == 120)
        // A trace lists its events a page at a time; the sum is of them all.
        let trace = try r.get("/trace?year=2023&table=3&row=2010350&column=total")
        #expect(trace.body.components(separatedBy: "<tr><td class=\"num\">").count - 1 == 120)
        #expect(trace.body.contains("合计等于单元格"))
        // A cursor that is not the start of a line is refused by name.
        let bad = try r.get("/journal?before=7")
        #expect(bad.status == 400)
        #expect(bad.body.contains("before："))
    }

    @Test func seesWritesFromElsewhereAndShowsDamage() throws {
        let r = try Running(disbursements: 2)
        defer { r.stop() }
        let before = try r.get("/")
        #expect(before.body.contains("<span id=\"events\">4</span>"))
        let more = try r.store.post([Draft(fields: ["type": "disbursement", "id": "LATE", "date": "2023-03-01", "fund": "gpb", "item": "2010350", "econ": "30101",
                                                    "nature": "basic", "amount": "10.00", "payee": "后来", "voucher": "记-03-1", "actor": "李出纳"])])
        guard case .committed = more else { Issue.record("post refused: \(more)"); return }
        let after = try r.get("/")
        #expect(after.body.contains("<span id=\"events\">5</span>"))
        #expect(try r.get("/event/LATE").status == 200)
        // A line that cannot be read: every page of figures is a damage page naming the line.
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: r.store.path))
        h.seekToEndOfFile()
        h.write(Data("{\"seq\":6,\"this is\":\"not an event\"}\n".utf8))
        try h.close()
        for path in ["/", "/budget?year=2023", "/statements/2023/3"] {
            let d = try r.get(path)
            #expect(d.status == 503, "\(path)")
            #expect(d.body.contains("第 6 行"), "\(path)")
            #expect(!d.body.contains("467.42"), "\(path)")
        }
    }

    @Test func checkAnUploadedReport() throws {
        let r = try Running()
        defer { r.stop() }
        let report = "2023年度某单位决算\n基本支出613.28万元，占80.63%；项目支出149.90万元，占19.64%。本年支出合计763.18万元。\n<b>不是标记</b>\n"
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"report\"; filename=\"r.txt\"\r\nContent-Type: text/plain\r\n\r\n\(report)\r\n--XyZ--\r\n"
        let head = "POST /check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        let resp = try r.send(Array((head + body).utf8))
        #expect(resp.status == 200)
        #expect(resp.body.contains("class=\"mismatch\""))
        #expect(resp.body.contains("80.63"))
        #expect(resp.body.contains("&lt;b&gt;不是标记&lt;/b&gt;"))
    }
}
