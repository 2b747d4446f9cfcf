import Foundation
import Ledger

/// Every option more than one command takes, defined once: its name, its placeholder, its help
/// text (a command may add a remark after it with `noting`), and how its value is read
/// (`Context`). A command lists these rather than spelling its own.
enum Options {
    static let journal = OptionSpec(name: "journal", value: "PATH", help: "the journal file (default: $FLEDGER_JOURNAL)")
    static let catalogue = OptionSpec(name: "catalogue", value: "PATH", help: "code catalogue file (default: $FLEDGER_CATALOGUE, else built in); a catalogue.tsv beside the journal (the unit's project names) is merged over it")
    static let key = OptionSpec(name: "key", value: "FILE", help: "private key that signs the write once the journal signs (default: $FLEDGER_KEY; see `fledger key new`)")
    static let year = OptionSpec(name: "year", value: "YYYY", help: "fiscal year")
    static let actor = OptionSpec(name: "actor", value: "NAME", help: "who does it (default: the key's actor, else $FLEDGER_ACTOR)")
    static let memo = OptionSpec(name: "memo", value: "TEXT", help: "a note kept with the event")
    static let reason = OptionSpec(name: "reason", value: "TEXT", help: "why (kept in the event)")
    static let output = OptionSpec(name: "output", value: "FILE", help: "write to FILE instead of standard output")
    static let threshold = OptionSpec(name: "threshold", value: "K", help: "distinct admins who must sign each change of actors (1–9, default 1); only when signing begins (init --public-key, or the first actor add)")
    static let checkpoint = OptionSpec(name: "checkpoint", value: "FILE", help: "a checkpoint (or trust export)")
    static let trust = OptionSpec(name: "trust", value: "FILE", help: "a trust export (`fledger trust export`)")
    static let publicKey = OptionSpec(name: "public-key", value: "KEY", help: "an Ed25519 public key, 64 hex digits (from `fledger key new`)")
    static let table = OptionSpec(name: "table", value: "N", help: "statement table number, 1–13")
    static let asOf = OptionSpec(name: "as-of", value: "DATE", help: "only events whose effective date is on or before DATE (accounting order)")
    static let untilSeq = OptionSpec(name: "until-seq", value: "N", help: "only events 1…N (audit order: the journal as it stood after event N)")

    /// `--id`: the id of the event a command writes.
    static func id(default fallback: String = "generated") -> OptionSpec {
        OptionSpec(name: "id", value: "ID", help: "the event's id (default: \(fallback))")
    }

    /// `--unit yuan|wan`: how amounts are printed (not the unit's code: that is `init --unit-code`).
    static func money(default fallback: MoneyUnit) -> OptionSpec {
        OptionSpec(name: "unit", value: MoneyUnit.placeholder,
                   help: "amounts in yuan or 万元 (each figure rounded on its own, half away from zero, to 0.01 万元); default \(fallback.rawValue)")
    }

    /// `--format`: the formats a command prints (`F`'s cases); the first is the default unless
    /// the option is required.
    static func format<F: Choice>(_: F.Type, required: Bool = false, _ remark: String = "") -> OptionSpec {
        let list = F.names.enumerated().map { i, n in n + (i == 0 && !required ? " (default)" : "") }
        let choices = list.count < 2 ? list.joined() : list.dropLast().joined(separator: ", ") + " or " + (list.last ?? "")
        return OptionSpec(name: "format", value: F.placeholder,
                          help: "output format: " + choices + (required ? " (required)" : "") + (remark.isEmpty ? "" : "; " + remark))
    }
}

/// Output formats, one closed set per kind of command, each listing what the command prints.
/// The default is the first.
enum TextOrJSON: String, Choice { case text, json }
enum TableFormat: String, Choice { case text, csv, json }
enum StatementsFormat: String, Choice { case text, csv, json, markdown }
enum DocumentFormat: String, Choice { case text, markdown, json, html }
enum CheckReportFormat: String, Choice { case text, json, csv, html }
extension ExportFormat: Choice {}
extension ImportFormat: Choice {}
extension BudgetView: Choice {}

/// How amounts are printed.
enum MoneyUnit: String, Choice {
    case yuan, wan

    /// As text tables print it: yuan with thousands separators, or 万元.
    func grouped(_ f: Fen) -> String {
        switch self {
        case .yuan: return f.yuanGrouped
        case .wan: return f.wan
        }
    }

    /// As CSV and markdown print it: yuan without separators, or 万元.
    func plain(_ f: Fen) -> String {
        switch self {
        case .yuan: return f.yuan
        case .wan: return f.wan
        }
    }

    var title: String {
        switch self {
        case .yuan: return "元"
        case .wan: return "万元"
        }
    }
}
