import Glibc

/// Why a journal operation failed. Each case maps to its own exit status in the CLI.
public enum JournalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The operating system refused (open, read, write, fsync, lock …).
    case io(path: String, operation: String, reason: String)
    /// The journal is not what it must be; `line` is 1-based (0 when not about one line).
    case damaged(path: String, line: Int, reason: String)
    /// The journal file does not exist.
    case missing(path: String)
    /// `init` on a journal that exists.
    case exists(path: String)

    public var description: String {
        switch self {
        case .io(let p, let op, let r): return "\(p): cannot \(op): \(r)"
        case .damaged(let p, let l, let r): return l > 0 ? "\(p):\(l): \(r)" : "\(p): \(r)"
        case .missing(let p): return "\(p): no journal here; create one with `fledger init`"
        case .exists(let p): return "\(p): a journal already exists; refusing to overwrite it"
        }
    }
}

/// The operations that change files — write, fsync, rename, ftruncate — in one small interface,
/// so that a test can make the n-th of them fail (SQLite's test VFS habit) and check what is
/// left. Every writing call site of the journal and the files beside it goes through it.
public struct FileOps: Sendable {
    public var write: @Sendable (Int32, UnsafeRawPointer, Int) -> Int
    public var fsync: @Sendable (Int32) -> Int32
    public var rename: @Sendable (String, String) -> Int32
    public var ftruncate: @Sendable (Int32, Int) -> Int32

    public init(write: @escaping @Sendable (Int32, UnsafeRawPointer, Int) -> Int, fsync: @escaping @Sendable (Int32) -> Int32,
                rename: @escaping @Sendable (String, String) -> Int32, ftruncate: @escaping @Sendable (Int32, Int) -> Int32) {
        self.write = write; self.fsync = fsync; self.rename = rename; self.ftruncate = ftruncate
    }

    public static let system = FileOps(
        write: { fd, p, n in Glibc.write(fd, p, n) }, fsync: { Glibc.fsync($0) },
        rename: { Glibc.rename($0, $1) }, ftruncate: { Glibc.ftruncate($0, off_t($1)) })

    /// The system's operations, except that the `n`-th call (1-based, counting every write,
    /// fsync, rename and ftruncate) fails with `error`. `calls` counts the calls made.
    public static func failing(call n: Int, error: Int32, calls: Counter) -> FileOps {
        @Sendable func fails() -> Bool { calls.next() == n }
        return FileOps(
            write: { fd, p, count in if fails() { errno = error; return -1 }; return Glibc.write(fd, p, count) },
            fsync: { fd in if fails() { errno = error; return -1 }; return Glibc.fsync(fd) },
            rename: { a, b in if fails() { errno = error; return -1 }; return Glibc.rename(a, b) },
            ftruncate: { fd, size in if fails() { errno = error; return -1 }; return Glibc.ftruncate(fd, off_t(size)) })
    }

    /// A thread-safe call counter.
    public final class Counter: @unchecked Sendable {
        private var n = 0
        private var lock = pthread_mutex_t()
        public init() { pthread_mutex_init(&lock, nil) }
        func next() -> Int { pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }; n += 1; return n }
        public var count: Int { pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }; return n }
    }
}

/// A file's bytes in one allocation (the whole journal, read once for a replay).
public final class ByteBuffer: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer
    public let bytes: UnsafeMutableRawBufferPointer
    public init(count: Int) {
        storage = .allocate(byteCount: max(count, 1), alignment: 16)
        bytes = UnsafeMutableRawBufferPointer(start: storage.baseAddress, count: count)
    }
    deinit { storage.deallocate() }
    public var count: Int { bytes.count }
}

/// The one thing that owns the journal's file descriptor. Opening takes a lock for the
/// object's lifetime: shared for readers, exclusive for writers, so two `fledger post`
/// processes never interleave their read-tail-and-append.
public final class JournalFile {
    public enum Access { case read, write }

    public let path: String
    let fd: Int32
    let ops: FileOps

    public init(path: String, access: Access, ops: FileOps = .system) throws(JournalError) {
        self.path = path
        self.ops = ops
        let flags = access == .read ? O_RDONLY : (O_RDWR | O_APPEND)
        let fd = open(path, flags | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw .missing(path: path) }
            throw .io(path: path, operation: "open", reason: lastError())
        }
        while flock(fd, access == .read ? LOCK_SH : LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let reason = lastError()
            close(fd)
            throw .io(path: path, operation: "lock", reason: reason)
        }
        self.fd = fd
    }

    deinit { close(fd) }  // also releases the lock

    /// Creates a new journal holding `bytes`, durably; fails if the file exists, and leaves no
    /// file behind when it cannot be written whole.
    public static func create(path: String, bytes: [UInt8], ops: FileOps = .system) throws(JournalError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST { throw .exists(path: path) }
            throw .io(path: path, operation: "create", reason: lastError())
        }
        defer { close(fd) }
        do throws(JournalError) {
            try writeAll(fd: fd, bytes: bytes, path: path, ops: ops)
            guard ops.fsync(fd) == 0 else { throw JournalError.io(path: path, operation: "fsync", reason: lastError()) }
            try syncDirectory(of: path, ops: ops)
        } catch {
            unlink(path)
            throw error
        }
    }

    public func size() throws(JournalError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io(path: path, operation: "stat", reason: lastError()) }
        return Int(st.st_size)
    }

    /// Reads `count` bytes at `offset` (fewer at the end of the file).
    public func read(at offset: Int, count: Int) throws(JournalError) -> ByteBuffer {
        let buf = ByteBuffer(count: count)
        var done = 0
        while done < count {
            let n = pread(fd, buf.bytes.baseAddress! + done, count - done, off_t(offset + done))
            if n < 0 { if errno == EINTR { continue }; throw .io(path: path, operation: "read", reason: lastError()) }
            if n == 0 { break }
            done += n
        }
        guard done < count else { return buf }
        let short = ByteBuffer(count: done)
        if done > 0 { short.bytes.copyMemory(from: UnsafeRawBufferPointer(rebasing: buf.bytes[0..<done])) }
        return short
    }

    /// Hands the file's complete lines to `body` a chunk of about `chunk` bytes at a time, each
    /// chunk ending with a newline, with its offset in the file (a line longer than the chunk
    /// grows the buffer). Returns the offset after the last complete line: less than `size`
    /// when the file ends in a line cut short.
    func forEachChunk(size: Int, chunk: Int, progress: ProgressSink? = nil,
                      _ body: (_ lines: UnsafeRawBufferPointer, _ offset: Int) throws(JournalError) -> Void) throws(JournalError) -> Int {
        var offset = 0, chunk = chunk
        defer { progress?(JournalProgress(done: offset, total: size, unit: .bytes)) }
        while offset < size {
            let buf = try read(at: offset, count: min(chunk, size - offset))
            let raw = UnsafeRawBufferPointer(buf.bytes)
            guard let lastNL = raw.lastIndex(of: 0x0a) else {
                if offset + raw.count < size { chunk *= 2; continue }   // one line longer than the chunk
                break   // the rest is a line cut short
            }
            let complete = UnsafeRawBufferPointer(rebasing: raw[...lastNL])
            try body(complete, offset)
            offset += complete.count
            withExtendedLifetime(buf) {}
            progress?(JournalProgress(done: offset, total: size, unit: .bytes))
        }
        return offset
    }

    /// Whether the file's last byte is a newline (false for an empty file).
    func endsWithNewline(size: Int) throws(JournalError) -> Bool {
        guard size > 0 else { return false }
        let b = try read(at: size - 1, count: 1)
        return withExtendedLifetime(b) { b.bytes.first == 0x0a }
    }

    /// The offset of the last newline before `end`, nil if there is none: read backwards in a
    /// window that widens until it finds one, so a line of any length is handled.
    func lastNewline(before end: Int) throws(JournalError) -> Int? {
        var window = 64 * 1024
        while true {
            let start = max(0, end - window)
            let t = try read(at: start, count: end - start)
            if let nl = withExtendedLifetime(t, { UnsafeRawBufferPointer(t.bytes).lastIndex(of: 0x0a) }) { return start + nl }
            if start == 0 { return nil }
            window *= 4
        }
    }

    /// Appends and waits until the bytes are on disk: a post is acknowledged only after this.
    /// When the write or the fsync fails, the file is cut back to its length before it, durably,
    /// so a failed append leaves nothing behind (a full disk, an I/O error, a quota).
    public func appendDurably(_ bytes: [UInt8], baseSize: Int) throws(JournalError) {
        do throws(JournalError) {
            try JournalFile.writeAll(fd: fd, bytes: bytes, path: path, ops: ops)
            guard ops.fsync(fd) == 0 else { throw JournalError.io(path: path, operation: "fsync", reason: lastError()) }
        } catch {
            try? truncate(to: baseSize)   // if this fails too, the line is cut short: verify names it, repair removes it
            throw error
        }
    }

    /// Cuts the file to `size` bytes, durably.
    public func truncate(to size: Int) throws(JournalError) {
        guard ops.ftruncate(fd, size) == 0 else { throw .io(path: path, operation: "truncate", reason: lastError()) }
        guard ops.fsync(fd) == 0 else { throw .io(path: path, operation: "fsync", reason: lastError()) }
    }

    static func writeAll(fd: Int32, bytes: [UInt8], path: String, ops: FileOps) throws(JournalError) {
        let failure: JournalError? = bytes.withUnsafeBytes { b in
            do throws(JournalError) { try writeAll(fd: fd, bytes: b, path: path, ops: ops); return nil } catch { return error }
        }
        if let failure { throw failure }
    }

    static func writeAll(fd: Int32, bytes b: UnsafeRawBufferPointer, path: String, ops: FileOps) throws(JournalError) {
        var done = 0
        while done < b.count {
            let n = ops.write(fd, b.baseAddress! + done, b.count - done)
            if n < 0 { if errno == EINTR { continue }; throw .io(path: path, operation: "write", reason: lastError()) }
            if n == 0 { throw .io(path: path, operation: "write", reason: "nothing written") }
            done += n
        }
    }

    /// The directory a file is in: "." for a bare name, "/" for a file at the root.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Makes a rename or a new file in the journal's directory durable.
    static func syncDirectory(of path: String, ops: FileOps) throws(JournalError) {
        let dir = directory(of: path)
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { return }
        defer { close(dfd) }
        guard ops.fsync(dfd) == 0 else { throw .io(path: dir, operation: "fsync the directory", reason: lastError()) }
    }
}

/// Small whole-file helpers for the sidecar files (checkpoint, head, pending batch).
enum SideFile {
    static func read(_ path: String, limit: Int = Int.max) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size <= limit else { return nil }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        let ok = out.withUnsafeMutableBytes { b -> Bool in
            while done < b.count {
                let n = Glibc.read(fd, b.baseAddress! + done, b.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        return ok ? out : nil
    }

    /// Writes through a temporary file, fsync, rename and an fsync of the directory, so readers
    /// see the old file or the new one, never half of one, and a crash keeps one of the two.
    /// On failure the temporary file is removed and the old file stays. `durable` false skips
    /// both fsyncs, for a file that carries its own checksum and binding and is rebuilt when a
    /// crash leaves it torn (the Merkle tree file, rewritten by every post).
    static func write(_ path: String, _ bytes: [UInt8], ops: FileOps, durable: Bool = true) throws(JournalError) {
        try DurableFile.write(bytes, to: path, ops: ops, durable: durable)
    }

    /// Removes `path.tmp-PID` files that a killed writer left behind: those whose process is gone.
    /// A live writer's temporary file is left alone.
    static func sweepStale(_ path: String) {
        let dir = JournalFile.directory(of: path)
        let prefix = String(path.split(separator: "/").last ?? "") + ".tmp-"
        guard let d = opendir(dir) else { return }
        defer { closedir(d) }
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix(prefix), let pid = pid_t(name.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(dir + "/" + name) }
        }
    }

    static func remove(_ path: String) { unlink(path) }
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}

func lastError() -> String { String(cString: strerror(errno)) }


/// How far a long read or write has got, for a progress display (the command line shows one on
/// a terminal). The libraries never print: they hand this to whoever asked.
public struct JournalProgress: Sendable {
    public enum Unit: Sendable { case bytes, rows }
    public let done: Int
    public let total: Int
    public let unit: Unit
}

public typealias ProgressSink = @Sendable (JournalProgress) -> Void
