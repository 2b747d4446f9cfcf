import Glibc

/// A file written whole or not at all, on disk before it is acknowledged: written beside its
/// name (`path.tmp-PID`), fsynced, renamed over it, and the directory fsynced, every step
/// through `FileOps` so the fault tests can fail each one. Readers see the old file or the new
/// one, never half of one; a crash keeps one of the two; on failure (or when abandoned) the
/// temporary file is removed and the old file stays. The files beside the journal, a saved
/// proof, `report --output` and `export --output` are all written through it.
public final class DurableFile {
    public let path: String
    let temporary: String
    let ops: FileOps
    private var fd: Int32
    private var finished = false

    /// Starts the file at `path` (nothing at `path` changes until `commit`).
    public init(path: String, ops: FileOps = .system) throws(JournalError) {
        self.path = path
        self.ops = ops
        temporary = path + ".tmp-\(getpid())"
        fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: temporary, operation: "create", reason: lastError()) }
    }

    deinit { abandon() }

    /// Appends `bytes`; on failure the file is abandoned.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(JournalError) {
        precondition(!finished, "a durable file written after it was committed or abandoned")
        do throws(JournalError) { try JournalFile.writeAll(fd: fd, bytes: bytes, path: temporary, ops: ops) } catch {
            abandon()
            throw error
        }
    }

    public func write(_ bytes: [UInt8]) throws(JournalError) {
        let failure: JournalError? = bytes.withUnsafeBytes { b in
            do throws(JournalError) { try write(b); return nil } catch { return error }
        }
        if let failure { throw failure }
    }

    /// Makes the file durable and puts it in place of whatever was at `path`. `durable` false
    /// skips both fsyncs (still all or nothing for readers, but a crash may lose it): only for a
    /// file that carries its own checksum and is rebuilt when a crash leaves it torn.
    public func commit(durable: Bool = true) throws(JournalError) {
        precondition(!finished, "a durable file committed twice, or after it was abandoned")
        do throws(JournalError) {
            guard !durable || ops.fsync(fd) == 0 else { throw JournalError.io(path: temporary, operation: "fsync", reason: lastError()) }
            // Never closed twice: by then another thread may hold the same number for its own file.
            close(fd)
            fd = -1
            guard ops.rename(temporary, path) == 0 else { throw JournalError.io(path: path, operation: "rename", reason: lastError()) }
        } catch {
            abandon()
            throw error
        }
        finished = true
        if durable { try JournalFile.syncDirectory(of: path, ops: ops) }
        SideFile.sweepStale(path)
    }

    /// Gives up: the temporary file is removed and `path` stays as it was.
    public func abandon() {
        guard !finished else { return }
        finished = true
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporary)
    }

    /// Writes `bytes` as the file at `path`, durably unless `durable` is false (see `commit`).
    public static func write(_ bytes: [UInt8], to path: String, ops: FileOps = .system, durable: Bool = true) throws(JournalError) {
        let file = try DurableFile(path: path, ops: ops)
        try file.write(bytes)
        try file.commit(durable: durable)
    }
}
