import Foundation
import Ledger

/// Small text files a user names (checkpoints, proofs, trust exports): refused by size before
/// they are read, written whole or not at all.
enum TrustFiles {
    static func read(_ path: String, what: String) throws -> String {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw Failure(exit: .io, message: "\(path): cannot read the \(what): no such file, or not readable")
        }
        let size = (attrs[.size] as? NSNumber)?.intValue ?? 0
        guard size <= 1 << 20 else { throw Failure(exit: .damaged, message: "\(path): a \(what) is a few kilobytes; this file has \(size) bytes") }
        guard let data = FileManager.default.contents(atPath: path), let s = String(data: data, encoding: .utf8) else {
            throw Failure(exit: .io, message: "\(path): cannot read the \(what), or it is not UTF-8 text")
        }
        return s
    }

    /// A checkpoint, from a checkpoint file or the checkpoint inside a trust export.
    static func checkpoint(_ path: String) throws -> SignedCheckpoint {
        let text = try read(path, what: "checkpoint")
        if text.hasPrefix("fledger trust export") { return try TrustExport.parse(text, file: path).checkpoint }
        return try SignedCheckpoint.parse(text, file: path)
    }

    /// Writes to `path` (through a temporary file and a rename), or to standard output.
    static func write(_ text: String, to path: String?) throws {
        guard let path else { out(text, terminator: ""); return }
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw Failure(exit: .io, message: "cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func requireKey(_ a: ParsedArgs, for what: String) throws -> SigningKey {
        guard let key = try Context.signingKey(a) else { throw UsageError(message: "\(what) is signed: give --key FILE (or set FLEDGER_KEY)") }
        return key
    }
}

enum CheckpointCommand {
    static let spec = CommandSpec(
        name: "checkpoint", summary: "sign the journal's tree head (C2SP checkpoint), or cosign one as a witness",
        usage: "checkpoint [--key FILE] [--output FILE] | checkpoint cosign FILE --key FILE [--output FILE]",
        options: [Options.journal, Options.catalogue, Options.key.noting("it signs the checkpoint (in a signed journal, an active actor's key)"), Options.output],
        details: """
        fledger checkpoint --key 王会计.key --output 2024-06.checkpoint
        fledger checkpoint cosign 2024-06.checkpoint --key 财政局.key

        `checkpoint` verifies the whole journal (chain, rules, signatures, this user's trust pin), then
        writes its tree head as a C2SP tlog-checkpoint signed note: the origin (fledger/UNIT/first 16 hex
        digits of the first line's SHA-256), the number of lines, the base64 RFC 9162 Merkle root of
        them, an extension line with the hash chain's head, a blank line and the signature line
        (— NAME BASE64(KEY_ID‖SIGNATURE)). In a signed journal the key must be an active actor's.
        Give the checkpoint to someone who keeps it (主管部门, 财政局, an auditor): whoever holds it can
        later prove that the journal extends it (`fledger verify --checkpoint`), and check one event
        against it without the journal (`fledger prove inclusion`, `fledger check-proof`).
        `checkpoint cosign FILE` adds the witness's signature to a checkpoint it has seen (in place,
        or to --output); it needs no journal.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let key = try TrustFiles.requireKey(a, for: "a checkpoint")
        switch a.positionals.first {
        case nil:
            let (cp, _) = try Context.store(a).checkpoint(signer: key)
            try TrustFiles.write(cp.serialized, to: a["output"])
            if a["output"] != nil { out("checkpoint of \(cp.head.size) lines, root \(Data(cp.head.root.bytes).base64EncodedString()), signed by \(key.actor), written to \(a["output"]!)") }
            return .ok
        case "cosign"?:
            guard a.positionals.count == 2 else { throw UsageError(message: "checkpoint cosign takes the checkpoint file: checkpoint cosign FILE --key FILE") }
            let path = a.positionals[1]
            var cp = try SignedCheckpoint.parse(try TrustFiles.read(path, what: "checkpoint"), file: path)
            cp.sign(with: key)
            try TrustFiles.write(cp.serialized, to: a["output"] ?? path)
            out("cosigned by \(key.actor): \(cp.origin), \(cp.head.size) lines; \(cp.note.signatures.count) signature(s), written to \(a["output"] ?? path)")
            return .ok
        case let w?:
            throw UsageError(message: "unknown word '\(w)': checkpoint takes no words, or 'cosign FILE'")
        }
    }
}

enum ProveCommand {
    static let spec = CommandSpec(
        name: "prove", summary: "prove that an event is in a checkpoint's books, or that one checkpoint extends another",
        usage: "prove inclusion ID --checkpoint FILE [--output FILE] | prove consistency --from FILE [--to FILE] [--output FILE]",
        options: [
            Options.journal, Options.catalogue,
            Options.checkpoint.noting("the event is to be proven in it (prove inclusion)"),
            OptionSpec(name: "from", value: "FILE", help: "the older checkpoint (prove consistency)"),
            OptionSpec(name: "to", value: "FILE", help: "the newer checkpoint (default: the journal as it is now)"),
            Options.output,
        ],
        details: """
        fledger prove inclusion 2023-D-0135 --checkpoint 2023.checkpoint --output D-0135.proof
        fledger prove consistency --from 2023.checkpoint --to 2024-06.checkpoint

        `prove inclusion` writes the event's journal line with its RFC 9162 audit path to the root the
        checkpoint signs; `prove consistency` the RFC 9162 consistency proof between two tree sizes.
        Both first check that the journal's first N lines give the checkpoint's root (exit 3 if not).
        The proof is a small text file an auditor checks without the journal: `fledger check-proof`.
        A proof reads the journal's Merkle tree file and the lines of at most two blocks of 1,024
        lines, so it costs the same whatever the journal's length.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let store = try Context.store(a)
        switch a.positionals.first {
        case "inclusion"?:
            guard a.positionals.count == 2, let id = EventID(rawValue: a.positionals[1]) else {
                throw UsageError(message: "prove inclusion takes one event id: prove inclusion ID --checkpoint FILE")
            }
            let cpFile = try a.required("checkpoint")
            guard let proof = try store.proveInclusion(of: id, in: try TrustFiles.checkpoint(cpFile), checkpointFile: cpFile) else {
                throw Failure(exit: .notFound, message: "no event '\(id)' in \(store.path)")
            }
            try TrustFiles.write(proof.text, to: a["output"])
            return .ok
        case "consistency"?:
            guard a.positionals.count == 1 else { throw UsageError(message: "prove consistency takes no other words: prove consistency --from FILE [--to FILE]") }
            let from = try a.required("from")
            let to = try a["to"].map { ($0, try TrustFiles.checkpoint($0)) }
            let proof = try store.proveConsistency(from: (try TrustFiles.checkpoint(from), from), to: to.map { ($0.1, $0.0) })
            try TrustFiles.write(proof.text, to: a["output"])
            return .ok
        default:
            throw UsageError(message: "say what to prove: prove inclusion ID --checkpoint FILE, or prove consistency --from FILE [--to FILE]")
        }
    }
}

enum CheckProofCommand {
    static let spec = CommandSpec(
        name: "check-proof", summary: "check an inclusion or consistency proof against checkpoints, without the journal",
        usage: "check-proof PROOF --checkpoint FILE [--checkpoint FILE] [--trust FILE] [--format text|json]",
        options: [
            Options.checkpoint.repeated.noting("that you trust; twice for both ends of a consistency proof"),
            Options.trust.noting("its keys check the checkpoints' signatures"),
            Options.format(TextOrJSON.self),
        ],
        details: """
        fledger check-proof D-0135.proof --checkpoint 2023.checkpoint --trust 505001.trust

        Needs no journal. An inclusion proof: the audit path must lead from the event's line to the
        root, and the checkpoint must name the same books (origin), size and root. A consistency proof:
        the RFC 9162 path must verify, and each checkpoint given must be one of its ends. The
        checkpoints' signatures are checked with the keys of a trust export (--trust, or a trust export
        given as --checkpoint): a signature by a known key that does not verify is damage; signatures
        by keys not given are listed as not checked. Exit 0 when the proof holds, 3 with the reason
        when it does not.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let format = try Context.format(a, TextOrJSON.self)
        guard a.positionals.count == 1 else { throw UsageError(message: "name one proof file: check-proof PROOF --checkpoint FILE") }
        let proofFile = a.positionals[0]
        let files = a.all("checkpoint")
        guard !files.isEmpty else { throw UsageError(message: "--checkpoint FILE is required: the checkpoint you trust the proof against") }
        let (checkpoints, signed, unchecked) = try trusted(files, trust: a["trust"])
        let text = try TrustFiles.read(proofFile, what: "proof")
        var summary: String
        var fields: [String] = []
        if text.hasPrefix("fledger consistency proof") {
            let p = try ConsistencyProof.parse(text, file: proofFile)
            try p.check(against: checkpoints, file: proofFile)
            summary = "the books of \(p.first) lines are the beginning of those of \(p.second) lines (\(p.origin))"
            fields = [#""kind":"consistency""#, #""first":\#(p.first)"#, #""second":\#(p.second)"#]
        } else {
            let p = try InclusionProof.parse(text, file: proofFile)
            guard let cp = checkpoints.first(where: { $0.head.size == p.size }) ?? checkpoints.first else { throw UsageError(message: "--checkpoint is required") }
            try p.check(against: cp, file: proofFile)
            let what = p.event.map { "event \($0.id) (\($0.body.type.rawValue), line \($0.seq))" } ?? "line \(p.index + 1)"
            summary = "\(what) is in the books of \(p.origin) at \(p.size) lines"
            fields = [#""kind":"inclusion""#, #""line":\#(p.index + 1)"#, #""size":\#(p.size)"#] + (p.event.map { [#""id":\#(jsonString($0.id.rawValue))"#] } ?? [])
        }
        switch format {
        case .json:
            out("{\"ok\":true," + fields.joined(separator: ",") + ",\"signed_by\":[\(signed.map(jsonString).joined(separator: ","))],\"unchecked\":[\(unchecked.map(jsonString).joined(separator: ","))]}")
        case .text:
            out("ok: " + summary)
            out(signed.isEmpty ? "signatures: none checked (give the signers' keys: --trust FILE)" : "signed by: \(signed.joined(separator: ", ")) (verified)")
            if !unchecked.isEmpty { out("not checked (keys not given): \(unchecked.joined(separator: ", "))") }
        }
        return .ok
    }

    /// The checkpoints given, and whose signatures on them verified (or were not checked: no key
    /// given), with the keys of the trust exports among them and of `--trust`.
    static func trusted(_ files: [String], trust: String?) throws -> (checkpoints: [SignedCheckpoint], signed: [String], unchecked: [String]) {
        var keys: [NoteKey] = []
        var checkpoints: [SignedCheckpoint] = []
        for f in files {
            let text = try TrustFiles.read(f, what: "checkpoint")
            if text.hasPrefix("fledger trust export") {
                let e = try TrustExport.parse(text, file: f)
                keys += e.trustedKeys
                checkpoints.append(e.checkpoint)
            } else {
                checkpoints.append(try SignedCheckpoint.parse(text, file: f))
            }
        }
        if let t = trust { keys += try TrustExport.parse(try TrustFiles.read(t, what: "trust export"), file: t).trustedKeys }
        var signed: [String] = [], unchecked: [String] = []
        for (cp, f) in zip(checkpoints, files) {
            for (s, status) in cp.note.check(keys: keys) {
                switch status {
                case .verified: signed.append(s.name)
                case .bad: throw TrustFileError(f, "the signature by \(s.name) does not verify with their key: the checkpoint was changed after it was signed, or forged")
                case .unknown: unchecked.append(s.name)
                }
            }
        }
        return (checkpoints, signed, unchecked)
    }
}

enum TrustCommand {
    static let spec = CommandSpec(
        name: "trust", summary: "export the journal's trust root with a signed checkpoint; show this user's pin",
        usage: "trust export [--key FILE] [--output FILE] | trust show | trust rotate --key FILE [--key FILE]…",
        options: [Options.journal, Options.catalogue, Options.output,
                  Options.key.repeated.noting("trust export signs its checkpoint with it; trust rotate takes one per admin")],
        details: """
        fledger trust export --key 王会计.key --output 505001.trust
        fledger verify --trust 505001.trust

        The trust root of a journal is its unit, the SHA-256 of its first line, the event where signing
        began, the admin declared there and the admin threshold. The first command that verifies or
        writes a signed journal pins it, with the latest tree head seen, in a file per journal under
        $FLEDGER_TRUST_DIR (default ${XDG_CONFIG_HOME:-~/.config}/fledger/trust), as ssh's known_hosts
        does; every later verify and post compares, and a different root, an unsigned journal that
        signed before, or a journal that does not extend the pinned tree head is damage (exit 3).
        `trust export` verifies the journal and writes the root, its active admins' verifier keys and a
        checkpoint signed with --key, for someone who receives it by another channel (the 财政局, an
        auditor, the unit's website). `trust show` prints this user's pin of the journal.
        `trust rotate` changes the pin on purpose, to the journal's root as it stands now (after the
        journal verifies on its own): it needs the keys of as many distinct active admins of the
        journal as its threshold, who sign the rotation statement kept in the pin.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let store = try Context.store(a)
        switch a.positionals.first {
        case "export"?:
            let e = try store.trustExport(signer: try TrustFiles.requireKey(a, for: "a trust export"))
            try TrustFiles.write(e.text, to: a["output"])
            return .ok
        case "show"?:
            guard let pin = try store.trustPin() else {
                out("no pin for this journal yet (it is recorded by the first verify or post of a signed journal)")
                return .ok
            }
            out(pin.pin.text, terminator: "")
            out("pin file: \(pin.path)")
            return .ok
        case "rotate"?:
            var keys: [SigningKey] = []
            for path in a.all("key") {
                do { keys.append(try SigningKey.load(path: path)) } catch { throw Failure(exit: .usage, message: "key: \(error)") }
            }
            if keys.isEmpty, let k = try Context.signingKey(a) { keys.append(k) }
            guard !keys.isEmpty else { throw UsageError(message: "trust rotate is signed by the journal's admins: give --key FILE for each") }
            let (old, new, path) = try store.rotateTrust(keys: keys)
            if let old, let d = new.root.differences(from: old.root) { out("was: \(d)") }
            out("pinned in \(path): the journal's root as it stands (event \(new.checkpoint.size)), rotation signed by \(new.rotation.map(\.name).joined(separator: ", "))")
            return .ok
        default:
            throw UsageError(message: "say what to do: trust export, trust show or trust rotate")
        }
    }
}
