import Glibc

extension Export {
    /// Exports the journal into the file at `path`, durably (`DurableFile`): a failed export
    /// never leaves half a file there, and the file is on disk when this returns.
    public func write(_ store: JournalStore, toFile path: String, ops: FileOps = .system) throws(JournalError) {
        let file = try DurableFile(path: path, ops: ops)
        var failure: JournalError?
        try deliver(store, spool: path + ".fledger-body-\(getpid())", ops: ops) { chunk in
            do throws(JournalError) { try file.write(chunk); return true } catch { failure = error; return false }
        }
        if let failure { throw failure }
        try file.commit()
    }

    /// Exports the journal through `sink` (standard output, a socket), a megabyte at a time,
    /// spooling in `spoolDirectory`; returns why `sink` failed (it is not called again after a
    /// failure), nil when everything was delivered.
    public func write(_ store: JournalStore, spoolDirectory: String, ops: FileOps = .system,
                      to sink: (UnsafeRawBufferPointer) -> String?) throws(JournalError) -> String? {
        var failure: String?
        try deliver(store, spool: spoolDirectory + "/fledger-export-\(getpid())", ops: ops) { chunk in
            failure = sink(chunk)
            return failure == nil
        }
        return failure
    }

    /// One verified read streams the transactions into a spool file (opened and at once
    /// unlinked, so nothing is left behind however the process ends), a megabyte at a time; the
    /// preamble that must precede them is known only at the end. Then preamble and spool go to
    /// `out`, a megabyte at a time, until it returns false.
    func deliver(_ store: JournalStore, spool spoolPath: String, ops: FileOps,
                 out: (UnsafeRawBufferPointer) -> Bool) throws(JournalError) {
        let spool = open(spoolPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard spool >= 0 else { throw .io(path: spoolPath, operation: "create the spool file", reason: lastError()) }
        unlink(spoolPath)
        defer { close(spool) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20 + 4096)
        var spoolFailure: JournalError?
        func flush() {
            guard !buffer.isEmpty, spoolFailure == nil else { return }
            do throws(JournalError) { try JournalFile.writeAll(fd: spool, bytes: buffer, path: spoolPath, ops: ops) } catch { spoolFailure = error }
            buffer.removeAll(keepingCapacity: true)
        }
        let preamble = try stream(store) { line in
            buffer.append(contentsOf: line.utf8)
            buffer.append(0x0a)
            if buffer.count >= 1 << 20 { flush() }
        }
        flush()
        if let spoolFailure { throw spoolFailure }

        for line in preamble { buffer.append(contentsOf: line.utf8); buffer.append(0x0a) }
        var going = buffer.isEmpty || buffer.withUnsafeBytes { out($0) }
        // The spool, copied a megabyte at a time.
        var offset: off_t = 0
        buffer = [UInt8](repeating: 0, count: 1 << 20)
        while going {
            let n = buffer.withUnsafeMutableBytes { pread(spool, $0.baseAddress!, $0.count, offset) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw .io(path: spoolPath, operation: "read the spool file back", reason: lastError()) }
            if n == 0 { break }
            going = buffer.withUnsafeBytes { out(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            offset += off_t(n)
        }
    }
}
