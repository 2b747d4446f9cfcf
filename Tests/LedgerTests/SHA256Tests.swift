import Testing
@testable import Ledger

/// FIPS 180-4 known answers (NIST's SHA-256 examples and the long-message vector).
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func knownAnswers(message: String, digest: String) {
        #expect(SHA256.hash(Array(message.utf8)).hex == digest)
    }

    @Test func oneMillionA() {
        #expect(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000)).hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Feeding the same bytes in pieces of any size gives the same digest (block boundaries).
    @Test func incrementalEqualsOneShot() {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = SHA256.hash(message)
        for split in [1, 55, 56, 63, 64, 65, 127, 128, 500, 999] {
            var h = SHA256()
            h.update(message[..<split])
            h.update(message[split...])
            #expect(h.finalize() == whole, "split at \(split)")
        }
    }

    /// The allocation-free one-shot hash equals the incremental one at every length around the
    /// block and padding boundaries.
    @Test func oneShotEqualsIncremental() {
        let message = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        for n in 0...message.count {
            var h = SHA256()
            h.update(message[..<n])
            let incremental = h.finalize()
            #expect(message.withUnsafeBytes { SHA256.hash(UnsafeRawBufferPointer(rebasing: $0[..<n])) } == incremental, "length \(n)")
        }
        #expect(SHA256.hash(UnsafeRawBufferPointer(start: nil, count: 0)).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func hexRoundTrip() {
        let digest = SHA256.hash(Array("abc".utf8))
        #expect(SHA256.Digest(hex: digest.hex) == digest)
        #expect(SHA256.Digest(bytes: digest.bytes) == digest)
        #expect(SHA256.Digest(hex: "xyz") == nil)
    }
}
