import Glibc

/// The sorted part of the event-id index: (hash, locator) pairs as 64-bit words, either held in
/// memory or read in place from a memory-mapped checkpoint. A post looks up a handful of ids;
/// mapping the checkpoint instead of reading it keeps its cost independent of the journal's
/// length: a bisection touches about 20 of a million-event index's 4,000 blocks.
///
/// Each block of `blockWords` words has its own checksum in the checkpoint (which the
/// checkpoint's own checksum covers). A mapped block is checked the first time it is read; a
/// block that fails marks the index `damaged`, the lookup finds nothing there, and the post
/// that saw it starts again from a full replay (so a damaged checkpoint can never hide an id).
final class IndexWords: @unchecked Sendable {
    static let blockWords = 512

    let count: Int
    private let owned: [UInt64]
    private let words: UnsafeRawPointer?
    private let mapping: FileMapping?
    private let blockSums: [UInt64]
    private var checked: [Bool]
    private var lock = pthread_mutex_t()
    private(set) var damaged = false

    init(_ words: [UInt64]) {
        count = words.count
        owned = words
        self.words = nil
        mapping = nil
        blockSums = []
        checked = []
        pthread_mutex_init(&lock, nil)
    }

    /// Words at `offset` of a mapping (kept alive as long as this).
    init(mapping: FileMapping, offset: Int, count: Int, blockSums: [UInt64]) {
        self.count = count
        owned = []
        words = UnsafeRawPointer(mapping.base + offset)
        self.mapping = mapping
        self.blockSums = blockSums
        checked = Array(repeating: false, count: blockSums.count)
        pthread_mutex_init(&lock, nil)
    }

    deinit { pthread_mutex_destroy(&lock) }

    static let empty = IndexWords([])

    /// The checksum of each block of `words`.
    static func blockSums(_ words: [UInt64]) -> [UInt64] {
        words.withUnsafeBytes { raw in
            stride(from: 0, to: words.count, by: blockWords).map { start in
                let n = min(blockWords, words.count - start)
                return BinaryWriter.checksum(UnsafeRawBufferPointer(rebasing: raw[(start * 8)..<((start + n) * 8)]))
            }
        }
    }

    /// Word `i`, or nil when its block fails its checksum (the index is then `damaged`).
    subscript(i: Int) -> UInt64? {
        guard let words else { return owned[i] }
        let block = i / IndexWords.blockWords
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if !checked[block] {
            let start = block * IndexWords.blockWords, n = min(IndexWords.blockWords, count - start)
            guard BinaryWriter.checksum(UnsafeRawBufferPointer(start: words + start * 8, count: n * 8)) == blockSums[block] else {
                damaged = true
                return nil
            }
            checked[block] = true
        }
        return UInt64(littleEndian: words.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
    }

    /// The same words, every block checked, without copying either side.
    func sameWords(as o: IndexWords) -> Bool {
        guard count == o.count, checkAll(), o.checkAll() else { return false }
        for i in 0..<count where word(i) != o.word(i) { return false }
        return true
    }

    /// Checks every block not yet checked (reading the first word of a block checks it).
    private func checkAll() -> Bool {
        guard words != nil else { return true }
        for b in 0..<blockSums.count where self[b * IndexWords.blockWords] == nil { return false }
        return true
    }

    /// Word `i` of a checked index, read directly.
    private func word(_ i: Int) -> UInt64 {
        guard let words else { return owned[i] }
        return UInt64(littleEndian: words.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
    }

    // The words as (hash, locator) pairs in (hash, locator) order, for both indexes.

    var pairCount: Int { count / 2 }

    /// The index of the first pair whose hash is ≥ `h`; nil when a block read on the way is
    /// damaged (`damaged` then says so).
    func firstPair(atLeast h: UInt64) -> Int? {
        var lo = 0, hi = pairCount
        while lo < hi {
            let mid = (lo + hi) / 2
            guard let v = self[2 * mid] else { return nil }
            if v < h { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The locator of the first pair whose hash is `h` (a look-up that allocates nothing).
    func firstLocator(of h: UInt64) -> UInt64? {
        guard let k = firstPair(atLeast: h), k < pairCount, self[2 * k] == h else { return nil }
        return self[2 * k + 1]
    }

    /// The locators of the pairs whose hash is `h`, in order; nil when a block is damaged.
    func locators(of h: UInt64) -> [UInt64]? {
        guard var lo = firstPair(atLeast: h) else { return nil }
        var out: [UInt64] = []
        while lo < pairCount {
            guard let v = self[2 * lo], let l = self[2 * lo + 1] else { return nil }
            guard v == h else { break }
            out.append(l)
            lo += 1
        }
        return out
    }

    /// These pairs and `new` (in pair order) merged in one pass; nil when a block is damaged.
    func merged(with new: [(UInt64, UInt64)]) -> IndexWords? {
        guard let old = all else { return nil }
        var words: [UInt64] = []
        words.reserveCapacity(old.count + 2 * new.count)
        var i = 0, j = 0
        while i < old.count || j < new.count {
            if j == new.count || (i < old.count && (old[i], old[i + 1]) < new[j]) {
                words.append(old[i]); words.append(old[i + 1]); i += 2
            } else {
                words.append(new[j].0); words.append(new[j].1); j += 1
            }
        }
        return IndexWords(words)
    }

    /// Every word, each block checked; nil when any fails.
    var all: [UInt64]? {
        guard words != nil else { return owned }
        var out: [UInt64] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            guard let w = self[i] else { return nil }
            out.append(w)
        }
        return out
    }
}

/// A read-only mapping of a whole file, unmapped when the last user goes.
final class FileMapping: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let length: Int

    init(base: UnsafeMutableRawPointer, length: Int) { self.base = base; self.length = length }
    deinit { munmap(base, length) }

    /// The file mapped, or nil.
    static func map(path: String) -> FileMapping? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
        guard let base = mmap(nil, Int(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else { return nil }
        return FileMapping(base: base, length: Int(st.st_size))
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: length) }
}
