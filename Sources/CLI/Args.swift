import Foundation

/// A small argument parser (no package may be used): `--name value`, `--name=value`, flags,
/// positionals, and `--help` on every command.
struct OptionSpec {
    let name: String
    /// Placeholder for the value (`DATE`); nil for a flag that takes none.
    let value: String?
    let help: String
    /// May be given more than once (`ParsedArgs.all`).
    var repeatable = false
    /// Older spellings still accepted; the value is stored under `name`.
    var aliases: [String] = []

    /// The same option with a command's own remark after the shared help text.
    func noting(_ remark: String) -> OptionSpec {
        OptionSpec(name: name, value: value, help: help + "; " + remark, repeatable: repeatable, aliases: aliases)
    }

    /// The same option, repeatable.
    var repeated: OptionSpec { OptionSpec(name: name, value: value, help: help, repeatable: true, aliases: aliases) }

    /// `--name VALUE` as help and error messages show it.
    var label: String { "--\(name)" + (value.map { " \($0)" } ?? "") }
}

struct CommandSpec {
    let name: String
    let summary: String
    let usage: String
    let options: [OptionSpec]
    let details: String

    func help() -> String {
        var out = "\(summary)\n\nUsage: fledger \(usage)\n"
        let all = options + [OptionSpec(name: "help", value: nil, help: "show this help")]
        if !all.isEmpty {
            out += "\nOptions:\n"
            let labels = all.map { "  " + $0.label }
            let width = labels.map(\.count).max() ?? 0
            for (label, o) in zip(labels, all) {
                out += label.padding(toLength: width + 2, withPad: " ", startingAt: 0) + o.help
                    + (o.aliases.isEmpty ? "" : " (also " + o.aliases.map { "--" + $0 }.joined(separator: ", ") + ")") + "\n"
            }
        }
        if !details.isEmpty { out += "\n" + details + "\n" }
        return out
    }
}

struct UsageError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }

    /// A value outside an option's closed set (`--format xml`), naming what the command takes.
    static func unsupported(_ option: String, _ given: String, takes: [String]) -> UsageError {
        UsageError(message: "--\(option) '\(given)' is not one of \(takes.joined(separator: ", "))")
    }
}

/// An option whose value is one of a closed set: an output format, a money unit, a view. The
/// command switches over it exhaustively, and a value it does not take is a usage error that
/// lists what it takes.
protocol Choice: RawRepresentable, CaseIterable, Sendable where RawValue == String {}

extension Choice {
    static var names: [String] { allCases.map(\.rawValue) }
    /// `text|csv|json`, the placeholder in help.
    static var placeholder: String { names.joined(separator: "|") }

    static func parse(_ text: String, option: String) throws(UsageError) -> Self {
        guard let c = Self(rawValue: text) else { throw .unsupported(option, text, takes: names) }
        return c
    }

    /// The value of `--option`, nil when not given.
    static func given(_ a: ParsedArgs, _ option: String) throws(UsageError) -> Self? {
        guard let text = a[option] else { return nil }
        return try parse(text, option: option)
    }

    /// The value of `--option`, `fallback` when not given.
    static func given(_ a: ParsedArgs, _ option: String, else fallback: Self) throws(UsageError) -> Self {
        try given(a, option) ?? fallback
    }
}

struct ParsedArgs {
    var values: [String: String] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []
    var wantsHelp = false
    /// Every value of a repeatable option, in order.
    var repeated: [String: [String]] = [:]

    subscript(_ name: String) -> String? { values[name] }

    func all(_ name: String) -> [String] { repeated[name] ?? [] }

    func required(_ name: String) throws(UsageError) -> String {
        guard let v = values[name], !v.isEmpty else { throw UsageError(message: "--\(name) is required") }
        return v
    }

    static func parse(_ args: [String], spec: CommandSpec) throws(UsageError) -> ParsedArgs {
        var out = ParsedArgs()
        var i = 0
        while i < args.count {
            let a = args[i]
            i += 1
            if a == "--help" || a == "-h" { out.wantsHelp = true; continue }
            if a == "--" { out.positionals += args[i...]; break }
            guard a.hasPrefix("--") else { out.positionals.append(a); continue }
            var name = String(a.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") { inline = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
            guard let opt = spec.options.first(where: { $0.name == name || $0.aliases.contains(name) }) else {
                let known = spec.options.map { "--\($0.name)" }.joined(separator: " ")
                throw UsageError(message: "unknown option --\(name)" + (known.isEmpty ? "" : " (it takes: \(known))"))
            }
            let given = name
            name = opt.name
            if opt.value == nil {
                guard inline == nil else { throw UsageError(message: "--\(given) takes no value") }
                out.flags.insert(name)
                continue
            }
            let value: String
            if let v = inline { value = v } else {
                guard i < args.count else { throw UsageError(message: "--\(given) needs a value: \(opt.value ?? "")") }
                value = args[i]
                i += 1
            }
            if opt.repeatable { out.repeated[name, default: []].append(value); out.values[name] = out.values[name] ?? value; continue }
            if out.values[name] != nil {
                throw UsageError(message: "--\(given) is given twice" + (opt.aliases.isEmpty ? "" : " (--\(opt.name) and " + opt.aliases.map { "--" + $0 }.joined(separator: ", ") + " are one option)"))
            }
            out.values[name] = value
        }
        return out
    }
}
