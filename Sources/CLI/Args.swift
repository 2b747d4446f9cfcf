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
            let labels = all.map { "  --\($0.name)" + ($0.value.map { " \($0)" } ?? "") }
            let width = labels.map(\.count).max() ?? 0
            for (label, o) in zip(labels, all) {
                out += label.padding(toLength: width + 2, withPad: " ", startingAt: 0) + o.help + "\n"
            }
        }
        if !details.isEmpty { out += "\n" + details + "\n" }
        return out
    }
}

struct UsageError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
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
            guard let opt = spec.options.first(where: { $0.name == name }) else {
                let known = spec.options.map { "--\($0.name)" }.joined(separator: " ")
                throw UsageError(message: "unknown option --\(name)" + (known.isEmpty ? "" : " (it takes: \(known))"))
            }
            if opt.value == nil {
                guard inline == nil else { throw UsageError(message: "--\(name) takes no value") }
                out.flags.insert(name)
                continue
            }
            let value: String
            if let v = inline { value = v } else {
                guard i < args.count else { throw UsageError(message: "--\(name) needs a value: \(opt.value!)") }
                value = args[i]
                i += 1
            }
            if opt.repeatable { out.repeated[name, default: []].append(value); out.values[name] = out.values[name] ?? value; continue }
            if out.values[name] != nil { throw UsageError(message: "--\(name) is given twice") }
            out.values[name] = value
        }
        return out
    }
}
