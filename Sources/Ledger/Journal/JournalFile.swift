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

    public init(path: String, access: Access) throws(JournalError) {
        self.path = path
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

    /// Creates a new journal holding `bytes`, durably; fails if the file exists.
    public static func create(path: String, bytes: [UInt8]) throws(JournalError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST { throw .exists(path: path) }
            throw .io(path: path, operation: "create", reason: lastError())
        }
        defer { close(fd) }
        try writeAll(fd: fd, bytes: bytes, path: path)
        guard fsync(fd) == 0 else { throw .io(path: path, operation: "fsync", reason: lastError()) }
        syncDirectory(of: path)
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

    /// Appends and waits until the bytes are on disk: a post is acknowledged only after this.
    public func appendDurably(_ bytes: [UInt8]) throws(JournalError) {
        try JournalFile.writeAll(fd: fd, bytes: bytes, path: path)
        guard fsync(fd) == 0 else { throw .io(path: path, operation: "fsync", reason: lastError()) }
    }

    /// Cuts the file to `size` bytes, durably. Only `fledger repair` calls this.
    public func truncate(to size: Int) throws(JournalError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw .io(path: path, operation: "truncate", reason: lastError()) }
        guard fsync(fd) == 0 else { throw .io(path: path, operation: "fsync", reason: lastError()) }
    }

    static func writeAll(fd: Int32, bytes: [UInt8], path: String) throws(JournalError) {
        let failure: String? = bytes.withUnsafeBytes { b in
            var done = 0
            while done < b.count {
                let n = write(fd, b.baseAddress! + done, b.count - done)
                if n < 0 { if errno == EINTR { continue }; return lastError() }
                done += n
            }
            return nil
        }
        if let reason = failure { throw .io(path: path, operation: "write", reason: reason) }
    }

    static func syncDirectory(of path: String) {
        let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}

/// Small whole-file helpers for the sidecar files (checkpoint, head, pending batch).
enum SideFile {
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
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

    /// Writes through a temporary file and a rename, so readers see the old or the new file,
    /// never half of one. `durable` adds the fsyncs that make it survive a crash.
    static func write(_ path: String, _ bytes: [UInt8], durable: Bool) throws(JournalError) {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: tmp, operation: "create", reason: lastError()) }
        defer { close(fd) }
        try JournalFile.writeAll(fd: fd, bytes: bytes, path: tmp)
        if durable, fsync(fd) != 0 { throw .io(path: tmp, operation: "fsync", reason: lastError()) }
        guard rename(tmp, path) == 0 else { throw .io(path: path, operation: "rename", reason: lastError()) }
        if durable { JournalFile.syncDirectory(of: path) }
    }

    static func remove(_ path: String) { unlink(path) }
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}

func lastError() -> String { String(cString: strerror(errno)) }
