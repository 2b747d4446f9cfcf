import Glibc

/// `J.fledger-tree`: the journal's Merkle frontier (`MerkleFrontier`: the complete subtrees'
/// roots and every block's root and first line's offset) after a prefix of the journal, bound to
/// that prefix like the checkpoint: its byte size and the SHA-256 of its last line. A post
/// appends its lines' leaves (O(log n) hashes, plus the new lines); `verify` rebuilds the whole
/// tree from the lines it reads and refuses a tree file that differs; a missing or stale one is
/// rebuilt by the next post. Derived data: deleting it loses nothing.
///
/// Binary, little-endian: magic, byte size covered, last line's offset and SHA-256, block
/// level, leaf count, the frontier's nodes, the blocks' roots and first offsets, and a 64-bit
/// checksum of all that.
struct TreeFile: Equatable {
    static let magic: [UInt8] = Array("FLEDGRMT0001".utf8)

    var size: Int            // bytes of journal covered
    var lastLineStart: Int   // offset of the last line covered
    var head: SHA256.Digest  // SHA-256 of that line (the chain's head)
    var frontier: MerkleFrontier

    func encode() -> [UInt8] {
        var w = BinaryWriter()
        w.bytes(Self.magic)
        w.u64(UInt64(size)); w.u64(UInt64(lastLineStart)); w.bytes(head.bytes)
        w.u64(UInt64(frontier.blockLevel)); w.u64(UInt64(frontier.size))
        w.u64(UInt64(frontier.nodes.count)); for n in frontier.nodes { w.digest(n) }
        w.u64(UInt64(frontier.blocks.count)); for b in frontier.blocks { w.digest(b) }
        w.u64(UInt64(frontier.blockStarts.count)); for s in frontier.blockStarts { w.u64(UInt64(s)) }
        w.u64(w.out.withUnsafeBytes { BinaryWriter.checksum($0) })
        return w.out
    }

    static func decode(_ bytes: [UInt8]) -> TreeFile? {
        guard bytes.count >= magic.count + 8, Array(bytes[..<magic.count]) == magic else { return nil }
        let body = bytes.count - 8
        let sum = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: body, as: UInt64.self)) }
        guard sum == bytes.withUnsafeBytes({ BinaryWriter.checksum(UnsafeRawBufferPointer(rebasing: $0[..<body])) }) else { return nil }
        var r = BinaryReader(bytes: bytes, end: body)
        r.at = magic.count
        func digests() -> [SHA256.Digest]? {
            guard let n = r.u64(), n < 1 << 32 else { return nil }
            guard r.at + Int(n) * 32 <= body else { return nil }
            var out: [SHA256.Digest] = []
            out.reserveCapacity(Int(n))
            bytes.withUnsafeBytes { raw in
                for i in 0..<Int(n) { out.append(SHA256.Digest(loading: raw.baseAddress! + r.at + i * 32)) }
            }
            r.at += Int(n) * 32
            return out
        }
        guard let size = r.u64(), let last = r.u64(), let hb = r.bytes(32), let head = SHA256.Digest(bytes: hb),
              let level = r.u64(), level >= 1, level < 40, let count = r.u64(), count < 1 << 48,
              let nodes = digests(), let blocks = digests(), let nStarts = r.u64(), nStarts < 1 << 40 else { return nil }
        var starts: [Int] = []
        for _ in 0..<nStarts { guard let s = r.u64() else { return nil }; starts.append(Int(s)) }
        guard r.at == body else { return nil }
        let f = MerkleFrontier(size: Int(count), nodes: nodes, blockLevel: Int(level), blocks: blocks, blockStarts: starts)
        guard f.wellFormed, Int(last) < Int(size) else { return nil }
        return TreeFile(size: Int(size), lastLineStart: Int(last), head: head, frontier: f)
    }
}

extension BinaryWriter {
    /// A digest's 32 bytes, as the hash defines them (big-endian words), without an array per digest.
    mutating func digest(_ d: SHA256.Digest) {
        let at = out.count
        out.append(contentsOf: repeatElement(0, count: 32))
        out.withUnsafeMutableBytes { d.store(into: $0.baseAddress! + at) }
    }
}

extension SHA256.Digest {
    /// The digest whose 32 bytes start at `p`.
    init(loading p: UnsafeRawPointer) {
        func w(_ i: Int) -> UInt32 { UInt32(bigEndian: p.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
        self.init((w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7)))
    }
}

/// Builds the tree during a verified read: the replay appends each line's leaf, in order, and
/// the tree heads at the sizes asked for are kept on the way.
final class TreeBuilder: @unchecked Sendable {
    var frontier = MerkleFrontier()
    /// Tree heads wanted at these sizes, and found.
    let wanted: Set<Int>
    var roots: [Int: SHA256.Digest] = [:]
    /// The frontier wanted whole at one size (to compare the tree file), and found.
    let snapshotAt: Int?
    var snapshot: MerkleFrontier?

    init(wanted: Set<Int>, snapshotAt: Int?) { self.wanted = wanted; self.snapshotAt = snapshotAt }

    func append(_ line: UnsafeRawBufferPointer, offset: Int) {
        frontier.append(leaf: Merkle.leaf(line), offset: offset)
        let n = frontier.size
        if !wanted.isEmpty, wanted.contains(n) { roots[n] = frontier.root }
        if n == snapshotAt { snapshot = frontier }
    }
}

extension JournalStore {
    /// The tree file, if it is one and still describes a prefix of the journal as it is.
    func boundTree(_ file: JournalFile, size: Int) -> TreeFile? {
        guard let t = SideFile.read(treePath).flatMap(TreeFile.decode), t.size <= size,
              let line = try? file.readLine(at: t.lastLineStart), t.lastLineStart + line.count + 1 == t.size,
              SHA256.hash(line) == t.head else { return nil }
        return t
    }

    /// The tree of the whole journal (its complete lines): the tree file's, with the lines after
    /// it appended, or built from every line when there is no tree file that fits.
    func currentTree(_ file: JournalFile, size: Int, from start: TreeFile? = nil) throws(JournalError) -> TreeFile {
        var t = start ?? boundTree(file, size: size) ?? TreeFile(size: 0, lastLineStart: 0, head: .zero, frontier: MerkleFrontier())
        var offset = t.size
        let chunk = readChunk
        while offset < size {
            let buf = try file.read(at: offset, count: min(chunk, size - offset))
            let raw = UnsafeRawBufferPointer(buf.bytes)
            guard let lastNL = raw.lastIndex(of: 0x0a) else {
                if offset + raw.count < size { // one line longer than the chunk: read it whole
                    let line = try file.readLine(at: offset)
                    line.withUnsafeBytes { t.frontier.append(leaf: Merkle.leaf($0), offset: offset) }
                    t.lastLineStart = offset; t.head = SHA256.hash(line)
                    offset += line.count + 1
                    guard offset <= size else { break }
                    continue
                }
                break   // a line cut short: not part of the tree
            }
            let table = LineTable(UnsafeRawBufferPointer(rebasing: raw[...lastNL]))
            for i in 0..<table.count {
                let line = table.line(i, in: raw)
                t.frontier.append(leaf: Merkle.leaf(line), offset: offset + table.starts[i])
            }
            if let last = table.starts.last {
                t.lastLineStart = offset + last
                t.head = SHA256.hash(table.line(table.count - 1, in: raw))
            }
            offset += lastNL + 1
            withExtendedLifetime(buf) {}
        }
        t.size = offset
        return t
    }

    /// Where a proof takes subtree hashes from in this journal: the tree's block roots, and the
    /// lines of a block read from the file and hashed when a proof needs leaves.
    func treeSource(_ file: JournalFile, tree t: TreeFile) -> TreeSource {
        let f = t.frontier
        return TreeSource(blockLevel: f.blockLevel, blocks: f.blocks) { b throws in
            guard b < f.blockStarts.count else { throw JournalError.damaged(path: self.path, line: 0, reason: "the Merkle tree has no block \(b)") }
            let start = f.blockStarts[b], end = b + 1 < f.blockStarts.count ? f.blockStarts[b + 1] : t.size
            let buf = try file.read(at: start, count: end - start)
            let raw = UnsafeRawBufferPointer(buf.bytes)
            let table = LineTable(raw)
            let wanted = min(f.blockSize, f.size - (b << f.blockLevel))
            guard table.count == wanted, table.tornStart == nil else {
                throw JournalError.damaged(path: self.path, line: (b << f.blockLevel) + 1, reason: "the Merkle tree file \(self.treePath) does not match the journal's lines here (block \(b)); run `fledger verify`")
            }
            return withExtendedLifetime(buf) { (0..<table.count).map { Merkle.leaf(table.line($0, in: raw)) } }
        }
    }
}
