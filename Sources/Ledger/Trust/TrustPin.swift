import Glibc

/// What this machine's user has seen of a journal, as ssh's known_hosts records a host's key:
/// the journal's trust root and the latest tree head that was verified or written, in one file
/// per journal (`UNIT-FIRSTLINE.pin`, the first 16 hex digits of the first line's SHA-256)
/// under the trust directory (`$FLEDGER_TRUST_DIR`, else `${XDG_CONFIG_HOME:-~/.config}/fledger/trust`).
/// It lives outside the journal's directory, so someone who can rewrite the journal and every
/// file beside it does not reach it.
///
///     fledger trust pin v1
///     journal /path/to/unit.jsonl
///     unit 505001
///     first-line 64-hex
///     signing-from 2
///     admin 64-hex-public-key 王会计
///     threshold 1
///     size 1234
///     root 64-hex
///     head 64-hex
///     offset 456789
///
/// (`size`, `root`, `head`: the tree head at `size` lines and the chain's head there; `offset`:
/// where line `size` starts, so that a post checks it in one read.)
public struct TrustPin: Hashable, Sendable {
    public var root: TrustRoot
    public var checkpoint: TreeHeadAt
    /// The byte offset of line `checkpoint.size`.
    public var offset: Int
    public var journal: String
    /// When the pin was changed by `fledger trust rotate`: the admins who signed the rotation
    /// statement (kept as the pin's record; the comparison does not need them).
    public var rotation: [Rotation] = []
    public var rotationStatement = ""

    public struct Rotation: Hashable, Sendable {
        public var name: String
        public var signature: [UInt8]
    }

    static let header = "fledger trust pin v1"

    public var text: String {
        ([Self.header, "journal \(journal)"] + root.lines
         + ["size \(checkpoint.size)", "root \(checkpoint.root.hex)", "head \(checkpoint.chainHead.hex)", "offset \(offset)"]
         + rotationStatement.split(separator: "\n").map { "rotation-statement \($0)" }
         + rotation.map { "rotated-by \(Hex.encode($0.signature)) \($0.name)" })
            .joined(separator: "\n") + "\n"
    }

    public static func parse(_ text: String) -> TrustPin? {
        var lines = text.split(separator: "\n").map(String.init)
        guard lines.first == header else { return nil }
        lines.removeFirst()
        let f = fields(lines)
        guard let root = TrustRoot.parse(f), let size = f["size"].flatMap(Int.init), size >= 1,
              let r = f["root"].flatMap(SHA256.Digest.init(hex:)), let h = f["head"].flatMap(SHA256.Digest.init(hex:)),
              let offset = f["offset"].flatMap(Int.init), offset >= 0 else { return nil }
        var pin = TrustPin(root: root, checkpoint: TreeHeadAt(size: size, root: r, chainHead: h), offset: offset, journal: f["journal"] ?? "")
        for l in lines where l.hasPrefix("rotated-by ") {
            let parts = l.dropFirst(11).split(separator: " ", maxSplits: 1)
            if parts.count == 2, let sig = Hex.decode(parts[0]) { pin.rotation.append(Rotation(name: String(parts[1]), signature: sig)) }
        }
        pin.rotationStatement = lines.filter { $0.hasPrefix("rotation-statement ") }.map { String($0.dropFirst(19)) + "\n" }.joined()
        return pin
    }

    /// First word → the rest of the line (the last of each).
    static func fields(_ lines: [String]) -> [String: String] {
        var f: [String: String] = [:]
        for l in lines {
            guard let sp = l.firstIndex(of: " ") else { continue }
            f[String(l[..<sp])] = String(l[l.index(after: sp)...])
        }
        return f
    }

    /// The trust directory: `FLEDGER_TRUST_DIR`, else `${XDG_CONFIG_HOME:-~/.config}/fledger/trust`.
    public static func defaultDirectory(environment: [String: String]) -> String? {
        if let d = environment["FLEDGER_TRUST_DIR"], !d.isEmpty { return d }
        if let x = environment["XDG_CONFIG_HOME"], !x.isEmpty { return x + "/fledger/trust" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.config/fledger/trust"
    }

    /// The pin file of a journal in `directory`.
    public static func path(directory: String, unit: String, firstLine: SHA256.Digest) -> String {
        let safe = String(unit.unicodeScalars.map { ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") ? Character($0) : "_" })
        return directory + "/" + (safe.isEmpty ? "unit" : safe) + "-" + String(firstLine.hex.prefix(16)) + ".pin"
    }
}

extension JournalStore {
    /// The pin of this journal, if pinning is on and one is recorded (an unreadable pin file is damage:
    /// it is not the journal's to lose).
    func readPin(unit: String, firstLine: SHA256.Digest) throws(JournalError) -> (pin: TrustPin, path: String)? {
        guard let dir = trustDirectory else { return nil }
        let p = TrustPin.path(directory: dir, unit: unit, firstLine: firstLine)
        guard let bytes = SideFile.read(p) else { return nil }
        guard let pin = TrustPin.parse(String(decoding: bytes, as: UTF8.self)) else {
            throw .damaged(path: p, line: 0, reason: "the trust pin cannot be read; it is not derived data: restore it, or remove it to trust this journal anew")
        }
        return (pin, p)
    }

    /// Makes the trust directory and its parents when missing (mode 0700: it is this user's).
    func makeTrustDirectory() {
        guard let dir = trustDirectory else { return }
        var made = dir.hasPrefix("/") ? "" : "."
        for part in dir.split(separator: "/") { made += "/" + part; _ = mkdir(made, 0o700) }
    }

    /// Records the pin (the directory is made when missing, mode 0700). A pin that cannot be
    /// written is a notice: the journal is as it was.
    func writePin(_ pin: TrustPin) {
        guard let dir = trustDirectory else { return }
        makeTrustDirectory()
        let p = TrustPin.path(directory: dir, unit: pin.root.unit, firstLine: pin.root.firstLine)
        do throws(JournalError) { try SideFile.write(p, Array(pin.text.utf8), ops: fileOps) } catch {
            notices.add("the trust pin \(p) could not be written (\(error)); the journal is unchanged")
        }
    }

    /// After a write (under its lock): the tree file (or `before`, the tree of the journal before
    /// the write, when the write already read it) brought up to the journal's end, and, for a
    /// signed journal, the pin advanced to the new tree head (recorded, if this is the first time).
    func advanceTreeAndPin(_ file: JournalFile, size: Int, state: LedgerState, from before: TreeFile?) {
        do throws(JournalError) {
            let t = try currentTree(file, size: size, from: before)
            // Not fsynced: a tree file a crash tears fails its checksum or its binding, and the next
            // post rebuilds it from the lines; a post pays for one durable write, the journal's.
            do throws(JournalError) { try SideFile.write(treePath, t.encode(), ops: fileOps, durable: false) } catch {
                notices.add("the events are on disk, but the Merkle tree file could not be written (\(error)); the next post rebuilds it")
            }
            guard trustDirectory != nil, state.access.signing else { return }
            let root = try trustRoot(file: file, state: state, frontier: t.frontier, size: size)
            writePin(TrustPin(root: root, checkpoint: TreeHeadAt(size: t.frontier.size, root: t.frontier.root, chainHead: t.head),
                              offset: t.lastLineStart, journal: absolutePath))
        } catch {
            notices.add("the events are on disk, but the Merkle tree or the trust pin could not be brought up to date (\(error))")
        }
    }

    /// The journal's path made absolute (for the pin's `journal` line, which only informs).
    var absolutePath: String {
        if path.hasPrefix("/") { return path }
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buf, buf.count) != nil else { return path }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + path
    }

    /// Compares the journal with its pin, cheaply enough for every post: the root, and that the
    /// pinned line still stands where it was (its SHA-256 is the pinned chain head, which the
    /// chain ties to every line before it). Throws damage naming what differs and the pin file.
    func checkPin(root: TrustRoot, file: JournalFile, lines: Int) throws(JournalError) -> TrustPin? {
        guard let (pin, p) = try readPin(unit: root.unit, firstLine: root.firstLine) else { return nil }
        if let d = root.differences(from: pin.root) {
            throw .damaged(path: path, line: 0, reason: "the journal's trust root differs from the one pinned in \(p): \(d). If this change is intended, `fledger trust rotate` records it")
        }
        try checkPinnedHead(pin, p, file: file, lines: lines)
        return pin
    }

    /// The part of the pin check a reader makes (`checkBeforeReading`): the journal still holds
    /// the pinned line where it was, with the pinned hash, which the chain ties to every line
    /// before it, so a history re-keyed, rewritten or cut back shows without computing the tree.
    func checkPinBeforeReading(unit: String?, file: JournalFile, lines: Int) throws(JournalError) {
        guard let unit, let (pin, p) = try pin(of: file, unit: unit) else { return }
        try checkPinnedHead(pin, p, file: file, lines: lines)
    }

    /// This user's pin of the journal in `file` (its unit named by `unit`, else read from the
    /// first line), or nil without a trust directory or a pin.
    func pin(of file: JournalFile, unit: String? = nil) throws(JournalError) -> (pin: TrustPin, path: String)? {
        guard trustDirectory != nil, let first = try? file.readLine(at: 0) else { return nil }
        var code = unit
        if code == nil, case .unit(let u)? = first.withUnsafeBytes(decodeEvent)?.body { code = u.unitCode }
        guard let code else { return nil }
        return try readPin(unit: code, firstLine: first.withUnsafeBytes { SHA256.hash($0) })
    }

    private func checkPinnedHead(_ pin: TrustPin, _ p: String, file: JournalFile, lines: Int) throws(JournalError) {
        guard lines >= pin.checkpoint.size else {
            throw .damaged(path: path, line: lines + 1, reason: "the journal ends at event \(lines), but event \(pin.checkpoint.size) was seen before (pinned in \(p)): lines were removed from its end")
        }
        let line = try? file.readLine(at: pin.offset)
        guard let line, line.withUnsafeBytes({ SHA256.hash($0) }) == pin.checkpoint.chainHead else {
            throw .damaged(path: path, line: pin.checkpoint.size, reason: "the journal does not extend the tree head pinned in \(p) (event \(pin.checkpoint.size), chain head \(pin.checkpoint.chainHead.hex)): history before it was rewritten")
        }
    }
}
