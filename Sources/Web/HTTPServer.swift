import Foundation
import Glibc

/// A small HTTP/1.1 server on Glibc sockets (no package may be used), for the web front end.
/// It listens on a loopback address only, serves a bounded number of connections at once,
/// reads a request line and headers of at most 16 KB and a body of at most 20 MB, times out
/// slow clients, and adds the security headers to every response. It never reads a file from
/// disk to answer: the handler builds every response.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path, percent-decoded, without the query.
    public var path: String
    /// The query's parameters in order, percent-decoded (`+` is a space).
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    public func parameter(_ name: String) -> String? { query.first { $0.name == name }?.value }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8], headers: [(name: String, value: String)] = []) {
        self.status = status
        self.headers = [("Content-Type", contentType)] + headers
        self.body = body
    }

    public init(status: Int = 200, html: String) { self.init(status: status, contentType: "text/html; charset=utf-8", body: Array(html.utf8)) }

    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array((text + "\n").utf8))
    }

    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 303: "See Other"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }
}

public struct ServerError: Error, CustomStringConvertible {
    public let description: String
}

public final class HTTPServer: @unchecked Sendable {
    public struct Limits: Sendable {
        public var connections = 64
        public var headerBytes = 16 * 1024
        public var bodyBytes = 20 * 1024 * 1024
        /// Seconds a client has to send a request's line and headers, and, separately, its body.
        public var headerSeconds = 10.0
        public var bodySeconds = 60.0
        /// Seconds a kept-alive connection may sit idle before the next request.
        public var idleSeconds = 5.0
        public var requestsPerConnection = 100
        /// Requests handled at once (the rest wait their turn): the machine has a few cores, and
        /// fifty pages made at once would only share them and multiply the memory in use.
        public var handlers = 4
        public init() {}
    }

    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    public let limits: Limits
    /// The port bound (the one asked for, or the one the system chose for port 0).
    public let port: UInt16
    public let host: String
    private let listener: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var stopped = false
    private var active = 0
    private var acceptThread: Thread?
    private let acceptDone = DispatchSemaphore(value: 0)
    private let handling: DispatchSemaphore

    /// The address must be a loopback address (127.0.0.0/8): the server has no logins yet, so
    /// anyone who could reach it could read the books.
    public init(listen: String, limits: Limits = Limits(), handler: @escaping Handler) throws(ServerError) {
        guard let colon = listen.lastIndex(of: ":") else {
            throw ServerError(description: "--listen '\(listen)' is not HOST:PORT (for example 127.0.0.1:8080)")
        }
        let host = String(listen[..<colon]), portText = String(listen[listen.index(after: colon)...])
        guard let port = UInt16(portText) else { throw ServerError(description: "--listen '\(listen)': '\(portText)' is not a port 0–65535") }
        var addr = in_addr()
        guard inet_pton(AF_INET, host, &addr) == 1 else {
            throw ServerError(description: "--listen '\(listen)': '\(host)' is not an IPv4 address; use a loopback address such as 127.0.0.1")
        }
        guard UInt32(bigEndian: addr.s_addr) >> 24 == 127 else {
            throw ServerError(description: "--listen '\(listen)': \(host) is not a loopback address (127.x.x.x). fledger serve has no logins yet, so it listens on this machine only; reach it from elsewhere through an SSH tunnel")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ServerError(description: "cannot open a socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        sa.sin_addr = addr
        let bound = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else {
            let why = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ServerError(description: "cannot listen on \(listen): \(why)")
        }
        guard Glibc.listen(fd, 128) == 0 else {
            let why = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ServerError(description: "cannot listen on \(listen): \(why)")
        }
        var got = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &got) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.port = UInt16(bigEndian: got.sin_port)
        self.host = host
        self.listener = fd
        self.limits = limits
        self.handler = handler
        self.handling = DispatchSemaphore(value: max(1, limits.handlers))
    }

    /// Accepts connections on a thread of its own until `stop`.
    public func start() {
        let t = Thread { [self] in acceptLoop(); acceptDone.signal() }
        t.stackSize = 1 << 20
        acceptThread = t
        t.start()
    }

    /// Stops accepting, and waits (at most two seconds) for the connections being served.
    public func stop() {
        lock.lock()
        let was = stopped
        stopped = true
        lock.unlock()
        guard !was else { return }
        if acceptThread != nil { acceptDone.wait(); acceptDone.signal() }
        Glibc.close(listener)
        for _ in 0..<200 {
            lock.lock(); let n = active; lock.unlock()
            if n == 0 { break }
            usleep(10_000)
        }
    }

    /// Blocks the calling thread until `stop` (for `fledger serve`).
    public func wait() { acceptDone.wait(); acceptDone.signal() }

    private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    private func acceptLoop() {
        while !isStopped {
            var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, 200)
            if ready <= 0 { continue }
            let c = accept(listener, nil, nil)
            guard c >= 0 else { continue }
            _ = fcntl(c, F_SETFD, FD_CLOEXEC)
            lock.lock()
            let over = active >= limits.connections
            if !over { active += 1 }
            lock.unlock()
            if over {
                // Refused at once, so a flood of connections cannot hold threads.
                setTimeout(c, 1)
                send(c, HTTPResponse.text(503, "too many connections; try again"), keepAlive: false)
                Glibc.close(c)
                continue
            }
            let t = Thread { [self] in
                serve(c)
                Glibc.close(c)
                lock.lock(); active -= 1; lock.unlock()
            }
            t.stackSize = 1 << 20
            t.start()
        }
    }

    private func setTimeout(_ fd: Int32, _ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// What reading a request gave: a request, a response to send instead (then close), or
    /// nothing (the client went away or idled out).
    enum Read { case request(HTTPRequest, keepAlive: Bool), refuse(HTTPResponse), gone }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        for n in 0..<limits.requestsPerConnection {
            switch read(fd, &buffer, first: n == 0) {
            case .gone: return
            case .refuse(let r): send(fd, r, keepAlive: false); return
            case .request(let req, let keepAlive):
                handling.wait()
                var response = handler(req)
                handling.signal()
                if req.method == "HEAD" { response.headers.append(("Content-Length", String(response.body.count))); response.body = [] }
                let more = keepAlive && n + 1 < limits.requestsPerConnection && !isStopped
                guard send(fd, response, keepAlive: more, head: req.method == "HEAD"), more else { return }
            }
        }
    }

    private func read(_ fd: Int32, _ buffer: inout [UInt8], first: Bool) -> Read {
        // The line and headers: within the size limit and the time limit (a slow client that
        // sends a byte at a time is cut off when the time is up, not when a byte is late).
        let start = Date()
        var headerEnd: Int?
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            if let e = findHeaderEnd(buffer) { headerEnd = e; break }
            if buffer.count > limits.headerBytes { return .refuse(HTTPResponse.text(431, "the request line and headers exceed \(limits.headerBytes) bytes")) }
            let waited = Date().timeIntervalSince(start)
            let budget = (buffer.isEmpty && !first ? limits.idleSeconds : limits.headerSeconds) - waited
            if budget <= 0 { return buffer.isEmpty ? .gone : .refuse(HTTPResponse.text(408, "the request took too long to arrive")) }
            setTimeout(fd, max(0.05, budget))
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 {
                if n < 0, errno == EAGAIN || errno == EWOULDBLOCK, !buffer.isEmpty { return .refuse(HTTPResponse.text(408, "the request took too long to arrive")) }
                return .gone
            }
            buffer.append(contentsOf: chunk[..<n])
        }
        let end = headerEnd!
        guard end <= limits.headerBytes else { return .refuse(HTTPResponse.text(431, "the request line and headers exceed \(limits.headerBytes) bytes")) }
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeFirst(end + 4)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, !requestLine[0].isEmpty, requestLine[1].hasPrefix("/") else {
            return .refuse(HTTPResponse.text(400, "malformed request line"))
        }
        let version = String(requestLine[2])
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { return .refuse(HTTPResponse.text(505, "only HTTP/1.0 and HTTP/1.1 are spoken here")) }
        var headers: [(String, String)] = []
        for l in lines {
            guard let colon = l.firstIndex(of: ":"), colon != l.startIndex, !l[..<colon].contains(" ") else {
                return .refuse(HTTPResponse.text(400, "malformed header line"))
            }
            headers.append((String(l[..<colon]), l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let method = String(requestLine[0])
        guard let (path, query) = Self.parseTarget(String(requestLine[1])) else { return .refuse(HTTPResponse.text(400, "malformed request target")) }
        var req = HTTPRequest(method: method, path: path, query: query, headers: headers, body: [])
        // A page from elsewhere may point a name it controls at 127.0.0.1 (DNS rebinding) and
        // read the books through the browser: only requests naming this machine are answered.
        if let host = req.header("Host") {
            let name = host.hasPrefix("[") ? String(host.prefix { $0 != "]" }) + "]" : String(host.prefix { $0 != ":" })
            guard name == "localhost" || name == "[::1]" || name.hasPrefix("127.") && name.allSatisfy({ $0.isNumber || $0 == "." }) else {
                return .refuse(HTTPResponse.text(400, "Host '\(host)' is not this machine; fledger serve answers only requests for localhost or 127.x.x.x"))
            }
        } else if version == "HTTP/1.1" {
            return .refuse(HTTPResponse.text(400, "an HTTP/1.1 request needs a Host header"))
        }
        if req.header("Transfer-Encoding") != nil { return .refuse(HTTPResponse.text(501, "chunked request bodies are not accepted; send Content-Length")) }
        let connection = req.header("Connection")?.lowercased() ?? ""
        let keepAlive = version == "HTTP/1.1" ? connection != "close" : connection == "keep-alive"
        if let l = req.header("Content-Length") {
            guard let length = Int(l), length >= 0 else { return .refuse(HTTPResponse.text(400, "Content-Length '\(l)' is not a length")) }
            guard length <= limits.bodyBytes else {
                return .refuse(HTTPResponse.text(413, "the request body of \(length) bytes exceeds the limit of \(limits.bodyBytes) bytes (20 MB)"))
            }
            let bodyStart = Date()
            while buffer.count < length {
                let budget = limits.bodySeconds - Date().timeIntervalSince(bodyStart)
                if budget <= 0 { return .refuse(HTTPResponse.text(408, "the request body took too long to arrive")) }
                setTimeout(fd, max(0.05, budget))
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
                if n < 0, errno == EINTR { continue }
                if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { return .refuse(HTTPResponse.text(408, "the request body took too long to arrive")) }
                if n <= 0 { return .gone }
                buffer.append(contentsOf: chunk[..<n])
            }
            req.body = Array(buffer[..<length])
            buffer.removeFirst(length)
        } else if method == "POST" || method == "PUT" {
            return .refuse(HTTPResponse.text(411, "a request with a body needs Content-Length"))
        }
        return .request(req, keepAlive: keepAlive)
    }

    private func findHeaderEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }

    /// The path and query of a request target, percent-decoded; nil when an escape is bad or
    /// the path is not valid UTF-8.
    static func parseTarget(_ target: String) -> (String, [(name: String, value: String)])? {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard let path = decode(String(parts[0]), plus: false) else { return nil }
        var query: [(String, String)] = []
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let k = decode(String(kv[0]), plus: true), let v = decode(kv.count > 1 ? String(kv[1]) : "", plus: true) else { return nil }
                query.append((k, v))
            }
        }
        return (path, query)
    }

    static func decode(_ s: String, plus: Bool) -> String? {
        var out: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "%") {
                guard it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) else { return nil }
                out.append(v); it = it.dropFirst(2)
            } else if plus && c == UInt8(ascii: "+") {
                out.append(0x20)
            } else {
                out.append(c)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// Writes a response; false when the client is gone.
    @discardableResult
    private func send(_ fd: Int32, _ r: HTTPResponse, keepAlive: Bool, head: Bool = false) -> Bool {
        var text = "HTTP/1.1 \(r.status) \(HTTPResponse.reason(r.status))\r\n"
        var headers = r.headers
        headers += [("Content-Security-Policy", "default-src 'self'"), ("X-Content-Type-Options", "nosniff"),
                    ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY"), ("Connection", keepAlive ? "keep-alive" : "close")]
        if !head { headers.append(("Content-Length", String(r.body.count))) }
        for (k, v) in headers { text += "\(k): \(v)\r\n" }
        text += "\r\n"
        var bytes = Array(text.utf8)
        bytes += r.body
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }
}
