import Testing
@testable import Ledger

/// The journal's Merkle tree against RFC 9162 §2.1 as the RFC writes it: MTH, PATH and PROOF
/// computed here by the RFC's recursive definitions over arrays of leaves (no code of the
/// library's), for every tree size 1…40, every leaf and every pair of sizes.
@Suite struct MerkleTests {
    typealias Digest = SHA256.Digest

    // The RFC's definitions, literally.
    static func mth(_ d: ArraySlice<[UInt8]>) -> Digest {
        if d.isEmpty { return SHA256.hash([UInt8]()) }
        if d.count == 1 { return SHA256.hash([0x00] + d.first!) }
        var k = 1
        while k * 2 < d.count { k *= 2 }
        return SHA256.hash([0x01] + mth(d.prefix(k)).bytes + mth(d.dropFirst(k)).bytes)
    }

    static func path(_ m: Int, _ d: ArraySlice<[UInt8]>) -> [Digest] {
        if d.count == 1 { return [] }
        var k = 1
        while k * 2 < d.count { k *= 2 }
        if m < k { return path(m, d.prefix(k)) + [mth(d.dropFirst(k))] }
        return path(m - k, d.dropFirst(k)) + [mth(d.prefix(k))]
    }

    static func subproof(_ m: Int, _ d: ArraySlice<[UInt8]>, _ b: Bool) -> [Digest] {
        if m == d.count { return b ? [] : [mth(d)] }
        var k = 1
        while k * 2 < d.count { k *= 2 }
        if m <= k { return subproof(m, d.prefix(k), b) + [mth(d.dropFirst(k))] }
        return subproof(m - k, d.dropFirst(k), false) + [mth(d.prefix(k))]
    }

    static let lines: [[UInt8]] = (0..<40).map { Array("{\"seq\":\($0 + 1),\"line\":\"\(String(repeating: "x", count: $0 * 7 % 90))\"}".utf8) }
    static let leaves: [Digest] = lines.map { Merkle.leaf($0) }

    @Test func leafAndNodeAreTheRFCs() {
        #expect(Merkle.leaf(Self.lines[0]) == SHA256.hash([0] + Self.lines[0]))
        let a = Merkle.leaf(Self.lines[0]), b = Merkle.leaf(Self.lines[1])
        #expect(Merkle.node(a, b) == SHA256.hash([1] + a.bytes + b.bytes))
        #expect(Merkle.empty.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect((2...70).allSatisfy { n in let k = Merkle.split(n); return k < n && 2 * k >= n && k & (k - 1) == 0 })
    }

    /// The frontier's root after each append equals MTH of the leaves so far; the block hashes
    /// are the MTH of each aligned block.
    @Test(arguments: [1, 2, 3, 10]) func frontierRootIsMTH(blockLevel: Int) {
        var f = MerkleFrontier(blockLevel: blockLevel)
        for n in 1...Self.lines.count {
            f.append(leaf: Self.leaves[n - 1], offset: n * 100)
            #expect(f.root == Self.mth(Self.lines[..<n]), "size \(n)")
            #expect(f.wellFormed)
            let b = 1 << blockLevel
            #expect(f.blocks == (0..<(n / b)).map { Self.mth(Self.lines[($0 * b)..<(($0 + 1) * b)]) })
            #expect(f.blockStarts == stride(from: 0, to: n, by: b).map { ($0 + 1) * 100 })
        }
    }

    /// Every inclusion path of every tree size equals PATH, verifies, and fails when one
    /// hash, the index, the size or the root is changed.
    @Test(arguments: [1, 2, 10]) func inclusionProofs(blockLevel: Int) throws {
        for n in 1...Self.lines.count {
            let source = TreeSource(leafHashes: Array(Self.leaves[..<n]), blockLevel: blockLevel)
            let root = Self.mth(Self.lines[..<n])
            #expect(try source.root(size: n) == root)
            for m in 0..<n {
                let p = try MerkleProof.inclusion(index: m, size: n, source: source)
                #expect(p == Self.path(m, Self.lines[..<n]), "PATH(\(m), D[\(n)])")
                #expect(MerkleProof.verifyInclusion(leaf: Self.leaves[m], index: m, size: n, path: p, root: root))
                #expect(!MerkleProof.verifyInclusion(leaf: Self.leaves[(m + 1) % 40], index: m, size: n, path: p, root: root))
                if n > 1 {
                    #expect(!MerkleProof.verifyInclusion(leaf: Self.leaves[m], index: (m + 1) % n, size: n, path: p, root: root))
                }
                #expect(!MerkleProof.verifyInclusion(leaf: Self.leaves[m], index: m, size: n, path: p + [root], root: root))
                for j in p.indices {
                    var bad = p
                    bad[j] = SHA256.hash(bad[j].bytes)
                    #expect(!MerkleProof.verifyInclusion(leaf: Self.leaves[m], index: m, size: n, path: bad, root: root))
                }
                #expect(!MerkleProof.verifyInclusion(leaf: Self.leaves[m], index: m, size: n, path: p, root: Self.leaves[m]) || n == 1)
            }
        }
    }

    /// Every consistency proof between sizes 1 ≤ m ≤ n ≤ 40 equals PROOF, verifies, and fails
    /// with a changed hash or a root of another tree.
    @Test(arguments: [1, 2, 10]) func consistencyProofs(blockLevel: Int) throws {
        for n in 1...Self.lines.count {
            let source = TreeSource(leafHashes: Array(Self.leaves[..<n]), blockLevel: blockLevel)
            let second = Self.mth(Self.lines[..<n])
            for m in 1...n {
                let first = Self.mth(Self.lines[..<m])
                let p = try MerkleProof.consistency(first: m, second: n, source: source)
                #expect(p == Self.subproof(m, Self.lines[..<n], true), "PROOF(\(m), D[\(n)])")
                #expect(MerkleProof.verifyConsistency(first: m, second: n, firstRoot: first, secondRoot: second, path: p))
                let other = SHA256.hash(first.bytes)
                #expect(!MerkleProof.verifyConsistency(first: m, second: n, firstRoot: other, secondRoot: second, path: p))
                #expect(!MerkleProof.verifyConsistency(first: m, second: n, firstRoot: first, secondRoot: other, path: p))
                for j in p.indices {
                    var bad = p
                    bad[j] = SHA256.hash(bad[j].bytes)
                    #expect(!MerkleProof.verifyConsistency(first: m, second: n, firstRoot: first, secondRoot: second, path: bad))
                }
                if m < n {
                    #expect(!MerkleProof.verifyConsistency(first: m, second: n, firstRoot: first, secondRoot: second, path: p.dropLast()))
                    #expect(!MerkleProof.verifyConsistency(first: m, second: n, firstRoot: first, secondRoot: second, path: []))
                }
            }
        }
    }

    /// A proof reads only the leaves of the blocks it needs: with blocks of 4 leaves, a proof in
    /// a tree of 40 reads at most two blocks.
    @Test func proofsReadAtMostTwoBlocks() throws {
        for m in 0..<38 {
            var f = MerkleFrontier(blockLevel: 2)
            for (i, h) in Self.leaves.enumerated() { f.append(leaf: h, offset: i) }
            let source = TreeSource(blockLevel: 2, blocks: f.blocks) { b in Array(Self.leaves[(b * 4)..<min(40, b * 4 + 4)]) }
            _ = try MerkleProof.inclusion(index: m, size: 38, source: source)
            #expect(source.leavesRead <= 8, "leaf \(m): \(source.leavesRead) leaves read")
        }
    }
}
