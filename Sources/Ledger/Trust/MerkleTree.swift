/// The journal's Merkle tree, as RFC 9162 §2.1 defines it (the tree of Certificate
/// Transparency): the leaves are the journal's lines in order, and
///
///     leaf  = SHA-256(0x00 ‖ the line's bytes, without its newline)
///     node  = SHA-256(0x01 ‖ left ‖ right)
///     MTH({}) = SHA-256()   (the empty journal; never signed, a journal has its unit line)
///
/// with the split of RFC 9162: for n > 1 leaves, the left subtree holds the largest power of
/// two smaller than n. The root of the first N lines is the journal's *tree head* at N: a
/// checkpoint signs it, and the proofs below show that one line is under it (inclusion) or that
/// a tree head at N is the beginning of one at M (consistency), each with a number of hashes
/// that grows with log N.
public enum Merkle {
    public typealias Digest = SHA256.Digest

    /// The hash of one leaf: the line without its newline, after the byte 0x00.
    public static func leaf(_ line: UnsafeRawBufferPointer) -> Digest {
        withUnsafeTemporaryAllocation(byteCount: line.count + 1, alignment: 1) { b in
            b[0] = 0
            if line.count > 0 { UnsafeMutableRawBufferPointer(rebasing: b[1...]).copyMemory(from: line) }
            return SHA256.hash(UnsafeRawBufferPointer(b))
        }
    }

    public static func leaf(_ line: [UInt8]) -> Digest { line.withUnsafeBytes { leaf($0) } }

    /// The hash of an interior node.
    public static func node(_ left: Digest, _ right: Digest) -> Digest {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 4) { b in
            b[0] = 1
            left.store(into: b.baseAddress! + 1)
            right.store(into: b.baseAddress! + 33)
            return SHA256.hash(UnsafeRawBufferPointer(b))
        }
    }

    /// MTH of no leaves: the hash of the empty string.
    public static let empty = SHA256.hash(UnsafeRawBufferPointer(start: nil, count: 0))

    /// The largest power of two strictly smaller than `n` (n ≥ 2): where RFC 9162 splits.
    public static func split(_ n: Int) -> Int {
        precondition(n >= 2)
        return 1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }

    static func isPowerOfTwo(_ n: Int) -> Bool { n > 0 && n & (n - 1) == 0 }
}

extension SHA256.Digest {
    /// Writes the 32 bytes (big-endian words, as the hash defines them) at `p`.
    func store(into p: UnsafeMutableRawPointer) {
        withUnsafeBytes(of: words) { raw in
            for i in 0..<8 {
                let w = raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
                p.storeBytes(of: w.bigEndian, toByteOffset: i * 4, as: UInt32.self)
            }
        }
    }
}

/// The tree kept incrementally: the roots of the complete subtrees that make up the leaves so
/// far (the *frontier*, one per set bit of the size, largest first), so that appending a leaf
/// costs O(log n) and the root is a fold of at most 64 hashes. Beside it, the root of every
/// complete, aligned subtree of 2^`blockLevel` leaves (a *block*) and the byte offset of each
/// block's first line in the journal: from those, any subtree of a block or more is computed
/// without reading a line, and a proof reads the lines of at most two blocks (see `TreeSource`).
public struct MerkleFrontier: Equatable, Sendable {
    /// 2^10 = 1,024 lines a block: at a million events, 977 block hashes (31 KB), and a proof
    /// hashes at most 2,047 lines (about 0.8 MB of the journal).
    public static let defaultBlockLevel = 10

    public private(set) var size = 0
    /// The complete subtrees' roots, largest first (their sizes are the set bits of `size`).
    public private(set) var nodes: [SHA256.Digest] = []
    public let blockLevel: Int
    /// The root of each complete block, in order.
    public private(set) var blocks: [SHA256.Digest] = []
    /// The byte offset in the journal of each block's first line, the incomplete last block's too.
    public private(set) var blockStarts: [Int] = []

    public init(blockLevel: Int = MerkleFrontier.defaultBlockLevel) {
        precondition(blockLevel >= 1 && blockLevel < 40)
        self.blockLevel = blockLevel
    }

    init(size: Int, nodes: [SHA256.Digest], blockLevel: Int, blocks: [SHA256.Digest], blockStarts: [Int]) {
        self.size = size; self.nodes = nodes; self.blockLevel = blockLevel; self.blocks = blocks; self.blockStarts = blockStarts
    }

    public var blockSize: Int { 1 << blockLevel }

    /// Appends the leaf hash of the line that starts at byte `offset` of the journal.
    public mutating func append(leaf: SHA256.Digest, offset: Int) {
        if size & (blockSize - 1) == 0 { blockStarts.append(offset) }
        nodes.append(leaf)
        size += 1
        // A new leaf completes one subtree per trailing zero bit of the new size.
        let merges = size.trailingZeroBitCount
        for level in 1...max(merges, 1) where level <= merges {
            let right = nodes.removeLast(), left = nodes.removeLast()
            nodes.append(Merkle.node(left, right))
            if level == blockLevel { blocks.append(nodes[nodes.count - 1]) }
        }
    }

    /// The tree head: MTH of all leaves so far.
    public var root: SHA256.Digest {
        guard var r = nodes.last else { return Merkle.empty }
        for n in nodes.dropLast().reversed() { r = Merkle.node(n, r) }
        return r
    }

    /// Is this frontier's content what a tree of `size` leaves can have (sizes of every part)?
    var wellFormed: Bool {
        nodes.count == size.nonzeroBitCount && blocks.count == size >> blockLevel
            && blockStarts.count == (size + blockSize - 1) >> blockLevel
            && zip(blockStarts, blockStarts.dropFirst()).allSatisfy { $0 < $1 }
    }
}

/// Where a proof takes subtree hashes from: MTH(D[lo:hi]) for the ranges the RFC's recursion
/// asks for. A complete, aligned subtree of a block or more is reduced from the block hashes;
/// anything smaller comes from leaf hashes, which `leaves` gives a block at a time (the
/// journal's lines of that block, hashed; in tests, an array).
public final class TreeSource {
    public typealias Digest = SHA256.Digest
    let blockLevel: Int
    let blocks: [Digest]
    /// The leaf hashes of block `b` (all of them, or those that exist in the last, incomplete block).
    let leaves: (Int) throws -> [Digest]
    private var cache: [Int: [Digest]] = [:]
    /// Leaves hashed so far (how much of the journal a proof read).
    public private(set) var leavesRead = 0

    public init(blockLevel: Int, blocks: [Digest], leaves: @escaping (Int) throws -> [Digest]) {
        self.blockLevel = blockLevel; self.blocks = blocks; self.leaves = leaves
    }

    /// A source over leaf hashes held in memory (tests, small trees).
    public convenience init(leafHashes: [Digest], blockLevel: Int = MerkleFrontier.defaultBlockLevel) {
        var f = MerkleFrontier(blockLevel: blockLevel)
        for (i, h) in leafHashes.enumerated() { f.append(leaf: h, offset: i) }
        let size = 1 << blockLevel
        self.init(blockLevel: blockLevel, blocks: f.blocks) { b in Array(leafHashes[(b * size)..<min(leafHashes.count, (b + 1) * size)]) }
    }

    func leaf(_ i: Int) throws -> Digest {
        let b = i >> blockLevel
        if let c = cache[b] { return c[i - (b << blockLevel)] }
        let l = try leaves(b)
        leavesRead += l.count
        cache[b] = l
        guard i - (b << blockLevel) < l.count else { throw TreeError.missingLeaf(i) }
        return l[i - (b << blockLevel)]
    }

    enum TreeError: Error { case missingLeaf(Int) }

    /// MTH(D[lo:hi]), hi > lo.
    public func hash(_ lo: Int, _ hi: Int) throws -> Digest {
        let n = hi - lo
        if n == 1 { return try leaf(lo) }
        let blockSize = 1 << blockLevel
        if n >= blockSize, Merkle.isPowerOfTwo(n), lo % n == 0, hi >> blockLevel <= blocks.count {
            var level = Array(blocks[(lo >> blockLevel)..<(hi >> blockLevel)])
            while level.count > 1 { level = stride(from: 0, to: level.count, by: 2).map { Merkle.node(level[$0], level[$0 + 1]) } }
            return level[0]
        }
        let k = Merkle.split(n)
        return Merkle.node(try hash(lo, lo + k), try hash(lo + k, hi))
    }

    /// MTH of the first `size` leaves.
    public func root(size: Int) throws -> Digest { size == 0 ? Merkle.empty : try hash(0, size) }
}

/// RFC 9162 §2.1.3 and §2.1.4: the audit path of one leaf and the consistency proof between two
/// tree sizes, with the verification algorithms of §2.1.3.2 and §2.1.4.2, step for step.
public enum MerkleProof {
    public typealias Digest = SHA256.Digest

    /// PATH(m, D[n]) (§2.1.3.1): the hashes that, with leaf `index`, give the root of `size` leaves.
    public static func inclusion(index: Int, size: Int, source: TreeSource) throws -> [Digest] {
        precondition(index >= 0 && index < size)
        func path(_ m: Int, _ lo: Int, _ hi: Int) throws -> [Digest] {
            let n = hi - lo
            if n == 1 { return [] }
            let k = Merkle.split(n)
            if m < lo + k { return try path(m, lo, lo + k) + [source.hash(lo + k, hi)] }
            return try path(m, lo + k, hi) + [source.hash(lo, lo + k)]
        }
        return try path(index, 0, size)
    }

    /// PROOF(m, D[n]) (§2.1.4.1): that the tree of `first` leaves is the beginning of the tree of `second`.
    public static func consistency(first: Int, second: Int, source: TreeSource) throws -> [Digest] {
        precondition(first >= 1 && first <= second)
        // SUBPROOF(m, D[lo:hi], b), with m counted from the journal's start.
        func sub(_ m: Int, _ lo: Int, _ hi: Int, _ b: Bool) throws -> [Digest] {
            if m == hi { return b ? [] : [try source.hash(lo, hi)] }
            let k = Merkle.split(hi - lo)
            if m <= lo + k { return try sub(m, lo, lo + k, b) + [source.hash(lo + k, hi)] }
            return try sub(m, lo + k, hi, false) + [source.hash(lo, lo + k)]
        }
        return try sub(first, 0, second, true)
    }

    /// §2.1.3.2: does `path` prove that `leaf` is leaf number `index` of the tree of `size`
    /// leaves whose root is `root`?
    public static func verifyInclusion(leaf: Digest, index: Int, size: Int, path: [Digest], root: Digest) -> Bool {
        guard index >= 0, index < size else { return false }            // 1
        var fn = index, sn = size - 1                                      // 2
        var r = leaf                                                       // 3
        for p in path {                                                    // 4
            if sn == 0 { return false }                                    // 4a
            if fn & 1 == 1 || fn == sn {                                   // 4b
                r = Merkle.node(p, r)
                if fn & 1 == 0 { while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 } }
            } else {
                r = Merkle.node(r, p)
            }
            fn >>= 1; sn >>= 1                                             // 4c
        }
        return sn == 0 && r == root                                        // 5
    }

    /// §2.1.4.2: does `path` prove that the tree of `first` leaves with root `firstRoot` is the
    /// beginning of the tree of `second` leaves with root `secondRoot`? Equal sizes need an
    /// empty path and equal roots (RFC 9162 §2.1.4: the proof between a tree and itself is empty).
    public static func verifyConsistency(first: Int, second: Int, firstRoot: Digest, secondRoot: Digest, path: [Digest]) -> Bool {
        guard first >= 1, first <= second else { return false }
        if first == second { return path.isEmpty && firstRoot == secondRoot }
        guard !path.isEmpty else { return false }                         // 1
        var path = path
        if Merkle.isPowerOfTwo(first) { path.insert(firstRoot, at: 0) }   // 2
        var fn = first - 1, sn = second - 1                               // 3
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }                          // 4
        var fr = path[0], sr = path[0]                                    // 5
        for c in path.dropFirst() {                                       // 6
            if sn == 0 { return false }                                   // 6a
            if fn & 1 == 1 || fn == sn {                                  // 6b
                fr = Merkle.node(c, fr)
                sr = Merkle.node(c, sr)
                if fn & 1 == 0 { while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 } }
            } else {
                sr = Merkle.node(sr, c)
            }
            fn >>= 1; sn >>= 1                                            // 6c
        }
        return fr == firstRoot && sr == secondRoot && sn == 0             // 7
    }
}
