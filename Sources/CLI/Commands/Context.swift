import Foundation
import Ledger

/// What every command needs: the journal, the catalogue, the clock, the actor.
enum Context {
    static func journalPath(_ a: ParsedArgs) throws(UsageError) -> String {
        if let p = a["journal"], !p.isEmpty { return p }
        if let p = ProcessInfo.processInfo.environment["FLEDGER_JOURNAL"], !p.isEmpty { return p }
        throw UsageError(message: "no journal: give --journal PATH or set FLEDGER_JOURNAL")
    }

    static func catalogue(_ a: ParsedArgs) throws -> Catalogue {
        do {
            return try Catalogue.forJournal(try? journalPath(a), base: a["catalogue"] ?? ProcessInfo.processInfo.environment["FLEDGER_CATALOGUE"])
        } catch let e as Catalogue.Incomplete {
            throw Failure(exit: .usage, message: e.description)
        }
    }

    static func clock() throws -> Clock {
        guard let s = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], !s.isEmpty else { return .system }
        guard let secs = Int(s), secs >= 0 else { throw UsageError(message: "SOURCE_DATE_EPOCH '\(s)' is not a number of seconds") }
        return .fixed(Timestamp(posixSeconds: secs))
    }

    /// Every store a command opened, so that its notices are printed when the command ends.
    nonisolated(unsafe) static var opened: [JournalStore] = []

    /// The command running (for the progress line), and the progress lines shown.
    nonisolated(unsafe) static var command = "fledger"
    nonisolated(unsafe) static var progressLines: [ProgressLine] = []

    static func store(_ a: ParsedArgs) throws -> JournalStore {
        var s = JournalStore(path: try journalPath(a), catalogue: try catalogue(a), clock: try clock())
        s.trustDirectory = TrustPin.defaultDirectory(environment: ProcessInfo.processInfo.environment)
        // `fledger-bench` only: its reference run of verify without the Merkle tree.
        if ProcessInfo.processInfo.environment["FLEDGER_BENCH_NO_TREE"] != nil { s.merkleTree = false }
        if let line = ProgressLine.forTerminal(command) {
            progressLines.append(line)
            s.progress = { line.report($0) }
        }
        opened.append(s)
        return s
    }

    /// Clears any progress line before the command's last words on standard error.
    static func finishProgress() { for l in progressLines { l.finish() } }

    /// The signing key named by `--key` or `FLEDGER_KEY`, if any; a key file others can read,
    /// or one that does not parse, is refused.
    static func signingKey(_ a: ParsedArgs) throws -> SigningKey? {
        let path = a["key"] ?? ProcessInfo.processInfo.environment["FLEDGER_KEY"]
        guard let path, !path.isEmpty else { return nil }
        if let key = loadedKeys[path] { return key }   // the store and the actor both ask; read it once
        do {
            let key = try SigningKey.load(path: path)
            loadedKeys[path] = key
            return key
        } catch { throw Failure(exit: .usage, message: "key: \(error)") }
    }
    nonisolated(unsafe) private static var loadedKeys: [String: SigningKey] = [:]

    /// The store of a writing command, with the key that signs its write.
    static func writer(_ a: ParsedArgs) throws -> JournalStore {
        var s = try store(a)
        s.signer = try signingKey(a)
        return s
    }

    /// Who posts: `--actor`, else the key's actor, else `FLEDGER_ACTOR`. With a key, `--actor`
    /// must name the key's actor: each actor signs their own writes.
    static func actor(_ a: ParsedArgs) throws -> String? {
        let key = try signingKey(a)
        if let given = a["actor"] {
            if let key, key.actor != given {
                throw UsageError(message: "--actor '\(given)' is not the actor of the key (\(key.actor)); each actor signs their own writes")
            }
            return given
        }
        return key?.actor ?? ProcessInfo.processInfo.environment["FLEDGER_ACTOR"]
    }

    /// `--year`, required, a fiscal year.
    static func year(_ a: ParsedArgs) throws(UsageError) -> Int {
        let text = try a.required("year")
        guard let y = Int(text), FiscalYears.contains(y) else {
            throw UsageError(message: "--year '\(text)' is not a year from \(FiscalYears.valid.lowerBound) to \(FiscalYears.valid.upperBound)")
        }
        return y
    }

    /// `--id`, optional, an event id.
    static func eventID(_ a: ParsedArgs) throws(UsageError) -> EventID? {
        guard let text = a["id"] else { return nil }
        guard let id = EventID(rawValue: text) else { throw UsageError(message: "--id '\(text)' is not an event id (1–64 of A–Z a–z 0–9 . _ : -)") }
        return id
    }

    /// `--format`, one of the command's formats; the first when not given.
    static func format<F: Choice>(_ a: ParsedArgs, _: F.Type) throws(UsageError) -> F {
        try F.given(a, "format") ?? F.allCases.first!
    }

    /// `--unit yuan|wan`: how the command prints amounts.
    static func money(_ a: ParsedArgs, default fallback: MoneyUnit) throws(UsageError) -> MoneyUnit {
        try MoneyUnit.given(a, "unit", else: fallback)
    }

    /// `--table N`, a statement table's number; nil when not given.
    static func table(_ a: ParsedArgs) throws(UsageError) -> Int? {
        guard let t = a["table"] else { return nil }
        guard let n = Int(t), (1...13).contains(n) else { throw UsageError(message: "--table '\(t)' is not a table number 1–13") }
        return n
    }

    /// `--as-of DATE` or `--until-seq N` (not both): which events the figures count.
    static func projectionFilter(_ a: ParsedArgs) throws(UsageError) -> ProjectionFilter {
        var f = ProjectionFilter.all
        if a["as-of"] != nil, a["until-seq"] != nil { throw UsageError(message: "give --as-of or --until-seq, not both") }
        if let v = a["as-of"] {
            guard let d = CivilDate(v) else { throw UsageError(message: "--as-of '\(v)' is not a date YYYY-MM-DD") }
            f.asOf = d
        }
        if let v = a["until-seq"] {
            guard let n = Int(v), n >= 1 else { throw UsageError(message: "--until-seq '\(v)' is not a sequence number (1 or more)") }
            f.untilSeq = n
        }
        return f
    }

    static func rejectionText(_ r: Rejection, where prefix: String = "") -> String {
        "\(prefix)rejected [\(r.code.rawValue)]" + (r.field.map { " field '\($0)'" } ?? "") + ": \(r.message)"
    }
}
