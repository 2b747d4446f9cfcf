import Foundation

/// Why a checkpoint, proof or trust file is refused: what was expected and what was found.
public struct TrustFileError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let message: String
    public init(_ file: String, _ message: String) { self.file = file; self.message = message }
    public var description: String { file.isEmpty ? message : "\(file): \(message)" }
}

/// A C2SP signed note (https://c2sp.org/signed-note): UTF-8 text ending in a newline, a blank
/// line, then one signature line per signer,
///
///     — NAME BASE64(KEY_ID ‖ SIGNATURE)
///
/// (an em dash U+2014 and a space first). The signatures cover the text with its final newline,
/// not the blank line. For Ed25519 the key id is the first 4 bytes of
/// SHA-256(NAME ‖ 0x0A ‖ 0x01 ‖ PUBLIC_KEY), and a verifier key is written
/// `NAME+HEX(KEY_ID)+BASE64(0x01 ‖ PUBLIC_KEY)`. Names are the actors' names with every space
/// and `+` (and `%`) percent-escaped, since a note's names hold neither.
public struct SignedNote: Hashable, Sendable {
    public var text: String
    public var signatures: [Signature]

    public struct Signature: Hashable, Sendable {
        public var name: String
        public var keyID: [UInt8]
        public var signature: [UInt8]
        var line: String { "— \(name) \(Data(keyID + signature).base64EncodedString())" }
    }

    public init(text: String, signatures: [Signature] = []) { self.text = text; self.signatures = signatures }

    public var serialized: String { text + "\n" + signatures.map { $0.line + "\n" }.joined() }

    /// Parses a note: its text, the blank line, its signature lines (at most 100; a note of more than 1 MB is refused).
    public static func parse(_ s: String, file: String = "") throws(TrustFileError) -> SignedNote {
        guard s.utf8.count <= 1 << 20 else { throw TrustFileError(file, "a signed note is at most 1 MB") }
        guard let split = s.range(of: "\n\n", options: .backwards) else {
            throw TrustFileError(file, "not a signed note: expected its text, a blank line and signature lines")
        }
        let text = String(s[..<split.lowerBound]) + "\n"
        let sigText = s[split.upperBound...]
        guard sigText.hasSuffix("\n") else { throw TrustFileError(file, "the last signature line must end with a newline") }
        var sigs: [Signature] = []
        for (n, l) in sigText.dropLast().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let parts = l.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "—", !parts[1].isEmpty, let raw = Data(base64Encoded: String(parts[2])), raw.count > 4 else {
                throw TrustFileError(file, "signature line \(n + 1) must read '— NAME BASE64(KEY_ID‖SIGNATURE)', found '\(l)'")
            }
            let b = [UInt8](raw)
            sigs.append(Signature(name: String(parts[1]), keyID: Array(b[..<4]), signature: Array(b[4...])))
        }
        guard !sigs.isEmpty, sigs.count <= 100 else { throw TrustFileError(file, "a signed note carries 1 to 100 signatures, this one \(sigs.count)") }
        return SignedNote(text: text, signatures: sigs)
    }

    /// Adds the signature of `key` under its name (an actor's key signs as the actor).
    public mutating func sign(with key: SigningKey) {
        let v = NoteKey(name: NoteKey.name(of: key.actor), publicKey: key.publicKey)
        signatures.removeAll { $0.name == v.name && $0.keyID == v.keyID }
        signatures.append(Signature(name: v.name, keyID: v.keyID, signature: key.sign(Array(text.utf8))))
    }

    /// What each signature is, given the keys the reader trusts: verified, bad (a known key
    /// whose signature does not verify: the note was changed or forged), or unknown.
    public func check(keys: [NoteKey]) -> [(signature: Signature, status: SignatureStatus)] {
        signatures.map { s in
            guard let k = keys.first(where: { $0.name == s.name && $0.keyID == s.keyID }) else { return (s, .unknown) }
            return (s, Ed25519.verify(s.signature, message: Array(text.utf8), publicKey: k.publicKey) ? .verified : .bad)
        }
    }

    public enum SignatureStatus: Sendable { case verified, bad, unknown }
}

/// An Ed25519 key as a signed note names it.
public struct NoteKey: Hashable, Sendable {
    public var name: String
    public var publicKey: [UInt8]

    public init(name: String, publicKey: [UInt8]) { self.name = name; self.publicKey = publicKey }

    /// An actor's key name: the name with spaces, `+` and `%` percent-escaped.
    public static func name(of actor: String) -> String {
        var out = ""
        for u in actor.unicodeScalars {
            if u.properties.isWhitespace || u == "+" || u == "%" {
                for b in String(u).utf8 { out += "%" + String(format: "%02X", b) }
            } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    public var keyID: [UInt8] { Array(SHA256.hash(Array(name.utf8) + [0x0a, 0x01] + publicKey).bytes.prefix(4)) }

    /// `NAME+HEX(KEY_ID)+BASE64(0x01 ‖ PUBLIC_KEY)`.
    public var verifierKey: String { "\(name)+\(Hex.encode(keyID))+\(Data([0x01] + publicKey).base64EncodedString())" }

    public static func parse(verifierKey v: String) -> NoteKey? {
        let parts = v.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let id = Hex.decode(parts[1]), id.count == 4, let raw = Data(base64Encoded: String(parts[2])),
              raw.count == 33, raw.first == 0x01 else { return nil }
        let k = NoteKey(name: String(parts[0]), publicKey: Array(raw.dropFirst()))
        return k.keyID == id ? k : nil
    }
}

/// A checkpoint of the journal in the C2SP tlog-checkpoint form (https://c2sp.org/tlog-checkpoint):
/// a signed note whose text is
///
///     fledger/UNIT/FIRST16        origin: the unit and its journal (16 hex of its first line's SHA-256)
///     1234                        tree size: lines of the journal
///     BASE64(ROOT)                the RFC 9162 tree head of those lines
///     fledger-chain-head HEX      extension: the SHA-256 of line 1234, the hash chain's head there
///
/// signed by the actor who made it (`fledger checkpoint`), and by any witness who cosigns it.
public struct SignedCheckpoint: Hashable, Sendable {
    public var origin: String
    public var head: TreeHeadAt
    public var note: SignedNote

    static let chainExtension = "fledger-chain-head "

    public static func origin(unit: String, firstLine: SHA256.Digest) -> String {
        "fledger/\(NoteKey.name(of: unit))/\(firstLine.hex.prefix(16))"
    }

    public init(origin: String, head: TreeHeadAt) {
        self.origin = origin
        self.head = head
        note = SignedNote(text: "\(origin)\n\(head.size)\n\(Data(head.root.bytes).base64EncodedString())\n\(Self.chainExtension)\(head.chainHead.hex)\n")
    }

    public static func parse(_ s: String, file: String = "") throws(TrustFileError) -> SignedCheckpoint {
        let note = try SignedNote.parse(s, file: file)
        let lines = note.text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 4 else { throw TrustFileError(file, "a checkpoint's text is origin, tree size, root hash and the chain-head extension line; found \(lines.count) line(s)") }
        guard let size = Int(lines[1]), size >= 1, String(size) == lines[1] else {
            throw TrustFileError(file, "line 2 (the tree size) must be a positive decimal number, found '\(lines[1])'")
        }
        guard let raw = Data(base64Encoded: lines[2]), raw.count == 32, let root = SHA256.Digest(bytes: [UInt8](raw)) else {
            throw TrustFileError(file, "line 3 (the root hash) must be the base64 of 32 bytes, found '\(lines[2])'")
        }
        guard let ext = lines.dropFirst(3).first(where: { $0.hasPrefix(chainExtension) }),
              let chain = SHA256.Digest(hex: ext.dropFirst(chainExtension.count)) else {
            throw TrustFileError(file, "the extension line '\(chainExtension)HEX' (the chain's head) is missing or not 64 hex digits")
        }
        return SignedCheckpoint(origin: lines[0], head: TreeHeadAt(size: size, root: root, chainHead: chain), note: note)
    }

    init(origin: String, head: TreeHeadAt, note: SignedNote) { self.origin = origin; self.head = head; self.note = note }

    public var serialized: String { note.serialized }

    public mutating func sign(with key: SigningKey) { note.sign(with: key) }
}
