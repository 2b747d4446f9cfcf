import Glibc

/// An actor's private signing key, as `fledger key new` writes it: a small text file readable
/// by its owner only, never entering the journal.
///
///     fledger-key v1
///     actor 王会计
///     seed 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60
///     public d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
///
/// The `public` line is the Ed25519 public key of the seed, written so that a person can read
/// what to register; it must match the seed.
public struct SigningKey: Sendable {
    public let actor: String
    let seed: [UInt8]
    public let publicKey: [UInt8]

    public init(actor: String, seed: [UInt8]) {
        precondition(seed.count == Ed25519.seedSize)
        self.actor = actor
        self.seed = seed
        publicKey = Ed25519.publicKey(seed: seed)
    }

    public var publicKeyHex: String { Hex.encode(publicKey) }

    func sign(_ message: [UInt8]) -> [UInt8] { Ed25519.sign(message, seed: seed) }

    /// Why a key file cannot be used.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let message: String
        public var description: String { "\(path): \(message)" }
    }

    /// A new key from the system's random source.
    public static func generate(actor: String) throws(Problem) -> SigningKey {
        var seed = [UInt8](repeating: 0, count: Ed25519.seedSize)
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Problem(path: "/dev/urandom", message: "cannot open the system's random source: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var got = 0
        while got < seed.count {
            let n = seed.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw Problem(path: "/dev/urandom", message: "the system gave no random bytes") }
            got += n
        }
        return SigningKey(actor: actor, seed: seed)
    }

    var fileText: String {
        "fledger-key v1\nactor \(actor)\nseed \(Hex.encode(seed))\npublic \(publicKeyHex)\n"
    }

    /// Writes the key to a new file, mode 0600; refuses to replace an existing file.
    public func write(to path: String) throws(Problem) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let why = errno == EEXIST ? "already exists; a key file is never overwritten (choose another name, or remove the old key yourself)" : String(cString: strerror(errno))
            throw Problem(path: path, message: why)
        }
        defer { close(fd) }
        let bytes = Array(fileText.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 { if errno == EINTR { continue }; unlink(path); throw Problem(path: path, message: "cannot write: \(String(cString: strerror(errno)))") }
            done += n
        }
        guard fchmod(fd, 0o600) == 0, fsync(fd) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(path)
            throw Problem(path: path, message: "cannot make the key private and durable: \(why)")
        }
    }

    /// The largest key file read (a key file is about 200 bytes; a long actor name adds up to 256).
    public static let maxFileSize = 512

    /// Reads a key file, refusing one that anyone but its owner can read or write, or one too
    /// large to be a key (by its size, before reading it).
    public static func load(path: String) throws(Problem) -> SigningKey {
        var st = stat()
        guard stat(path, &st) == 0 else { throw Problem(path: path, message: "cannot read the key file: \(String(cString: strerror(errno)))") }
        // A key file is about 200 bytes: anything much larger is not one, and is refused before
        // a byte of it is read (a 100 MB file named as a key must not be read whole).
        guard st.st_size <= SigningKey.maxFileSize else {
            throw Problem(path: path, message: "is \(st.st_size) bytes; a fledger key file is a few hundred bytes at most (\(SigningKey.maxFileSize)), so this is not one")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw Problem(path: path, message: "the key file can be read or written by others (mode \(String(st.st_mode & 0o777, radix: 8))); a private key must be readable by its owner only: chmod 600 \(path)")
        }
        guard let bytes = SideFile.read(path, limit: SigningKey.maxFileSize), let text = String(validating: bytes, as: UTF8.self) else {
            throw Problem(path: path, message: "cannot read the key file, or it is not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    static func parse(_ text: String, path: String) throws(Problem) -> SigningKey {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard lines.first == "fledger-key v1" else { throw Problem(path: path, message: "not a fledger key file (its first line must be 'fledger-key v1')") }
        lines.removeFirst()
        var fields: [String: String] = [:]
        for (n, line) in lines.enumerated() {
            guard let space = line.firstIndex(of: " ") else { throw Problem(path: path, message: "line \(n + 2): expected 'NAME VALUE'") }
            fields[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        guard let actor = fields["actor"], AccessRules.nameProblem(actor) == nil else {
            throw Problem(path: path, message: "the 'actor' line is missing or not a valid actor name")
        }
        guard let seedHex = fields["seed"], let seed = Hex.decode(seedHex), seed.count == Ed25519.seedSize else {
            throw Problem(path: path, message: "the 'seed' line must hold 64 hex digits")
        }
        let key = SigningKey(actor: actor, seed: seed)
        if let pub = fields["public"], pub.lowercased() != key.publicKeyHex {
            throw Problem(path: path, message: "the 'public' line does not match the seed: the file was changed")
        }
        return key
    }
}
