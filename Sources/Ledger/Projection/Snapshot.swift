import Glibc

/// `J.fledger-projection`: the whole-journal projection of a prefix of the journal, so that
/// `budget` (and every report made from `project()` without a filter) reads only what was
/// appended since, not the whole file. Like the checkpoint it is derived data, bound to its
/// prefix by the prefix's size and the SHA-256 of its last line; when it does not match the
/// journal, or is damaged or missing, the projection is read from the whole journal and a
/// fresh snapshot is saved. Like the scan it stands for, it does not re-check the hash chain:
/// a line changed by hand before the snapshot goes unseen by `budget` until `fledger verify`
/// (which reads every line) names it.
///
/// Binary, little-endian: magic, the body's length, prefix size, last line's offset and hash,
/// events admitted, last sequence number; the figures per (year, classification); the raw lines
/// the projection cannot hold as sums (closes and reopenings, items still waiting for approval,
/// and the events those items correct); then a 64-bit checksum of all that.
struct ProjectionSnapshot {
    static let magic: [UInt8] = Array("FLEDGRPJ0001".utf8)

    var size: Int
    var lastLineStart: Int
    var head: SHA256.Digest
    var events: Int
    var lastSeq: Int
    var figures: [Projection.Key: Figures]
    /// Closes and reopenings, in journal order.
    var yearLines: [[UInt8]]
    /// Items still waiting for approval, in journal order, and the events they correct.
    var waitingLines: [[UInt8]]
    var targetLines: [[UInt8]]

    func encode() -> [UInt8] {
        var w = BinaryWriter()
        w.bytes(Self.magic)
        w.u64(0)   // the body's length, filled in below
        w.u64(UInt64(size)); w.u64(UInt64(lastLineStart)); w.bytes(head.bytes); w.u64(UInt64(events)); w.u64(UInt64(lastSeq))
        // In code order (the file is the same for the same figures), each sort key built once.
        let keys = figures.keys.map { (sort: "\($0.year)/" + $0.classification.sortKey, key: $0) }.sorted { $0.sort < $1.sort }.map(\.key)
        w.u64(UInt64(keys.count))
        for k in keys {
            let c = k.classification, f = figures[k]!
            w.u64(UInt64(k.year)); w.string(c.fund.rawValue); w.string(c.item.rawValue); w.string(c.econ?.rawValue ?? "")
            w.u8(c.nature == .basic ? 0 : 1); w.string(c.project?.rawValue ?? "")
            for v in [f.initial, f.adjustments, f.actual, f.carried, f.priorYear] { w.u64(UInt64(bitPattern: v.raw)) }
        }
        for lines in [yearLines, waitingLines, targetLines] {
            w.u64(UInt64(lines.count))
            for l in lines { w.u64(UInt64(l.count)); w.bytes(l) }
        }
        let length = w.out.count
        withUnsafeBytes(of: UInt64(length).littleEndian) { w.out.replaceSubrange(Self.magic.count..<(Self.magic.count + 8), with: $0) }
        let sum = w.out.withUnsafeBytes { BinaryWriter.checksum($0) }
        w.u64(sum)
        return w.out
    }

    static func decode(_ bytes: [UInt8]) -> ProjectionSnapshot? {
        guard bytes.count >= magic.count + 16, Array(bytes[..<magic.count]) == magic else { return nil }
        var r = BinaryReader(bytes: bytes)
        r.at = magic.count
        guard let length = r.u64().map(Int.init), length + 8 == bytes.count else { return nil }
        let sum = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: length, as: UInt64.self)) }
        guard sum == bytes.withUnsafeBytes({ BinaryWriter.checksum(UnsafeRawBufferPointer(rebasing: $0[..<length])) }) else { return nil }
        r = BinaryReader(bytes: bytes, end: length)
        r.at = magic.count + 8
        guard let size = r.u64(), let lastStart = r.u64(), let headBytes = r.bytes(32), let head = SHA256.Digest(bytes: headBytes),
              let events = r.u64(), let lastSeq = r.u64(), let count = r.u64(), count < 1 << 32 else { return nil }
        var figures: [Projection.Key: Figures] = [:]
        for _ in 0..<count {
            guard let year = r.u64(), let fund = r.string().flatMap(FundCode.init(rawValue:)), let item = r.string().flatMap(FunctionCode.init(rawValue:)),
                  let econ = r.string(), let nature = r.u8(), let project = r.string() else { return nil }
            var v: [Fen] = []
            for _ in 0..<5 { guard let x = r.u64() else { return nil }; v.append(Fen(Int64(bitPattern: x))) }
            let c = Classification(fund: fund, item: item, econ: econ.isEmpty ? nil : EconomicCode(rawValue: econ), nature: nature == 0 ? .basic : .project,
                                   project: project.isEmpty ? nil : ProjectCode(rawValue: project))
            figures[Projection.Key(year: Int(year), classification: c)] = Figures(initial: v[0], adjustments: v[1], actual: v[2], carried: v[3], priorYear: v[4])
        }
        var groups: [[[UInt8]]] = []
        for _ in 0..<3 {
            guard let n = r.u64(), n < 1 << 32 else { return nil }
            var lines: [[UInt8]] = []
            for _ in 0..<n { guard let len = r.u64(), len < 1 << 24, let l = r.bytes(Int(len)) else { return nil }; lines.append(l) }
            groups.append(lines)
        }
        guard r.at == length else { return nil }
        return ProjectionSnapshot(size: Int(size), lastLineStart: Int(lastStart), head: head, events: Int(events), lastSeq: Int(lastSeq),
                                  figures: figures, yearLines: groups[0], waitingLines: groups[1], targetLines: groups[2])
    }
}

extension JournalStore {
    var projectionPath: String { JournalFiles.projection.path(beside: path) }

    /// The saved snapshot (nil when there is none, or it is not one: a file that does not decode
    /// is derived data lost, and the journal is read whole). A snapshot that does not equal what
    /// it claims — the journal's first `lastSeq` events, `size` bytes ending in a line with hash
    /// `head` — is damage: no crash or repair leaves one (repair removes a snapshot past its
    /// cut), so it was written by hand, or the journal was replaced under it.
    func loadSnapshot(file: JournalFile, size: Int) throws(JournalError) -> ProjectionSnapshot? {
        guard let s = SideFile.read(projectionPath).flatMap(ProjectionSnapshot.decode) else { return nil }
        var matches = false
        if s.size <= size, s.lastLineStart < s.size, let line = try? file.read(at: s.lastLineStart, count: s.size - s.lastLineStart) {
            matches = withExtendedLifetime(line) { () -> Bool in
                let b = UnsafeRawBufferPointer(line.bytes)
                guard b.count == s.size - s.lastLineStart, b.last == 0x0a else { return false }
                let l = UnsafeRawBufferPointer(rebasing: b.dropLast())
                return SHA256.hash(l) == s.head && decodeEvent(l)?.seq == s.lastSeq && s.events <= s.lastSeq
            }
        }
        guard matches else {
            throw .damaged(path: path, line: 0, reason: "the projection snapshot \(projectionPath) claims to hold the journal's first \(s.lastSeq) events (\(s.size) bytes, the last line's hash \(s.head.hex)), and the journal does not match that claim: it was written by hand or belongs to another journal. Delete it (it is derived data) and run `fledger verify`")
        }
        return s
    }

    /// The identity of a side file as `verify` last passed it (device, inode, size, change
    /// time): a reader compares it to say when its figures rest on a snapshot written since.
    func identity(of path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return "\(st.st_dev) \(st.st_ino) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
    }

    /// Where the stamp is kept: in the trust directory (outside the journal's, like the pin),
    /// named for the journal's absolute path, so that whoever can write the journal's directory
    /// cannot forge a snapshot and a stamp to match it (the stamp names the file's change time,
    /// which nobody sets by hand). Beside the journal only when there is no trust directory.
    var verifiedPath: String {
        guard let dir = trustDirectory else { return JournalFiles.verified.path(beside: path) }
        return dir + "/" + JournalFiles.verified.suffix.dropFirst() + "-" + String(SHA256.hash(Array(absolutePath.utf8)).hex.prefix(24))
    }

    /// Records which checkpoint and projection snapshot `verify` just found equal to a replay.
    func stampVerified() {
        var text = ""
        for (name, p) in [("checkpoint", checkpointPath), ("projection", projectionPath)] {
            if let id = identity(of: p) { text += "\(name) \(id)\n" }
        }
        // Nothing to vouch for (no checkpoint, no snapshot): no file.
        guard !text.isEmpty else { SideFile.remove(verifiedPath); return }
        makeTrustDirectory()
        try? SideFile.write(verifiedPath, Array(text.utf8), ops: fileOps)
    }

    /// True when the side file is the one `verify` last passed.
    func isVerified(_ name: String, _ p: String) -> Bool {
        guard let id = identity(of: p), let b = SideFile.read(verifiedPath, limit: 4096) else { return false }
        return String(decoding: b, as: UTF8.self).split(separator: "\n").contains { $0 == "\(name) \(id)" }
    }

    /// Saves a snapshot; a failure is no failure (the next read is a whole one).
    func saveSnapshot(_ s: ProjectionSnapshot) {
        try? SideFile.write(projectionPath, s.encode(), ops: fileOps)
    }
}
