import Foundation
import Ledger

enum CloseCommand {
    static let spec = CommandSpec(
        name: "close", summary: "close a fiscal year: record its final figures, carry forward or lapse each balance, open the next year",
        usage: "close --year YYYY --actor NAME [--carry SEL,…] [--lapse SEL,…] [--id ID] [--memo TEXT] [--format text|json]",
        options: [
            Options.journal, Options.catalogue, Options.key,
            Options.year.noting("the one to close (the years before it must be closed)"),
            Options.actor,
            OptionSpec(name: "carry", value: "SEL,…", help: "carry these lines' balances forward (结转): project codes, 项 codes or FUND/ITEM/NATURE[/PROJECT]"),
            OptionSpec(name: "lapse", value: "SEL,…", help: "let these lines' balances lapse (收回), same selectors"),
            Options.id(default: "YYYY-CLOSE"),
            Options.memo,
            OptionSpec(name: "override", value: "REASON", help: "let a re-close carry less than the close before it even where Y+1 already spent it (the line is left overspent); the reason is recorded"),
            Options.format(TextOrJSON.self),
        ],
        details: """
        The close event records every budget line of the year (调整后预算 with 年初结转, 执行数, balance) and the
        disposition of each positive balance, the totals, and the journal's event count and head hash before it.
        Default rule: project lines (项目支出) carry their balance forward to the same line next year; basic
        lines (基本支出) lapse. --carry and --lapse override it per line, 项 or project.
        Carried balances are posted as carry_forward events dated 1 January of Y+1 (年初结转和结余), in the same
        batch; the close opens Y+1. After it, nothing dated in Y can be posted: correct a disbursement of Y with
        a prior-year adjustment (a reversal or reclassification dated in an open year, which records
        prior_year Y), or `fledger reopen --year Y --reason TEXT` and close again.
        `fledger verify` re-derives every close's figures from the events before it.
        """)

    static func selectors(_ text: String?, option: String) throws(UsageError) -> [LineSelector] {
        guard let text else { return [] }
        var out: [LineSelector] = []
        for part in text.split(separator: ",") {
            guard let s = LineSelector(String(part)) else {
                throw UsageError(message: "--\(option) '\(part)' is not a project code, a 7-digit 项 code, or FUND/ITEM/NATURE[/PROJECT]")
            }
            out.append(s)
        }
        return out
    }

    static func run(_ a: ParsedArgs) throws -> Exit {
        let format = try Context.format(a, TextOrJSON.self)
        let year = try Context.year(a)
        guard let actor = try Context.actor(a), !actor.isEmpty else { throw UsageError(message: "--actor is required (or set FLEDGER_ACTOR)") }
        let request = CloseRequest(year: year, actor: actor, id: try Context.eventID(a), memo: a["memo"] ?? "",
                                   carry: try selectors(a["carry"], option: "carry"), lapse: try selectors(a["lapse"], option: "lapse"),
                                   override: a["override"])
        let result = try Context.writer(a).close(request)
        if format == .text, case .committed(let events) = result {
            for r in events {
                guard case .appended(let e) = r, case .close(let c) = e.body else { continue }
                out("closed \(c.year): \(c.lines.count) budget lines; budget \(c.budget.yuanGrouped), spent \(c.actual.yuanGrouped), "
                    + "carried forward \(c.carried.yuanGrouped), lapsed \(c.lapsed.yuanGrouped); \(c.year + 1) is open")
            }
        }
        return try PostCommand.report(result, format: format)
    }
}

enum ReopenCommand {
    static let spec = CommandSpec(
        name: "reopen", summary: "reopen a closed fiscal year (audited; a new close supersedes the old)",
        usage: "reopen --year YYYY --reason TEXT --actor NAME [--id ID] [--format text|json]",
        options: [
            Options.journal, Options.catalogue, Options.key,
            Options.year.noting("the closed one to reopen (a later closed year must be reopened first)"),
            Options.reason.noting("required"), Options.actor, Options.id(), Options.format(TextOrJSON.self),
        ],
        details: "Nothing is deleted: the reopen is an event, the old close stays in the journal. Close the year again when done;\nthe new close carries forward only the difference from what the old one carried.")

    static func run(_ a: ParsedArgs) throws -> Exit {
        let request = Request(id: try Context.eventID(a), date: nil, actor: try Context.actor(a) ?? "",
                              body: .reopen(year: try Context.year(a), reason: try a.required("reason")))
        return try PostCommand.report(try Context.writer(a).post([request]), format: try Context.format(a, TextOrJSON.self))
    }
}
