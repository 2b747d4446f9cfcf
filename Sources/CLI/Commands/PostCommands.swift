import Foundation
import Ledger

enum InitCommand {
    static let spec = CommandSpec(
        name: "init", summary: "create a journal for a unit",
        usage: "init --unit-code CODE --name NAME --year YYYY --actor NAME [--public-key KEY --key FILE [--threshold K]] [--journal PATH]",
        options: [
            Options.journal, Options.catalogue, Options.key,
            OptionSpec(name: "unit-code", value: "CODE", help: "the unit's code (单位编码)", aliases: ["unit"]),
            OptionSpec(name: "name", value: "NAME", help: "the unit's name (单位名称)"),
            Options.year.noting("the first one the journal holds"),
            Options.id(), Options.actor, Options.memo,
            Options.publicKey.noting("declares the actor the journal's first admin with it; signing begins"),
            Options.threshold,
        ],
        details: """
        Writes the journal's first line, the unit event, and opens its first fiscal year.
        Refuses to touch an existing file. With --public-key, the actor is declared the first admin
        in the same step, signed with their key (--key FILE or FLEDGER_KEY): from then on every
        write is signed and every actor must be registered (see `fledger actor --help`).
        --threshold K (with --public-key): every later change of actors needs K distinct admins
        (the default, 1, lets one admin create identities alone; see `fledger actor --help`).
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let store = try Context.writer(a)
        let year = try Context.year(a)
        if a["threshold"] != nil, a["public-key"] == nil {
            throw UsageError(message: "--threshold goes with --public-key: it is set when the first admin declares themselves")
        }
        if a["public-key"] != nil, store.signer == nil {
            throw UsageError(message: "--public-key declares the first admin, who signs the declaration: give their key (--key FILE or FLEDGER_KEY)")
        }
        let request = Request(id: try Context.eventID(a), date: CivilDate.firstOfYear(year), actor: try Context.actor(a) ?? "", memo: a["memo"] ?? "",
                              body: .unit(code: try a.required("unit-code"), name: try a.required("name")))
        switch try store.initialise(request) {
        case .failure(let r):
            err(Context.rejectionText(r))
            return .rejected
        case .success(let e):
            out("created \(store.path): unit \(a["unit-code"] ?? "") \(a["name"] ?? ""), fiscal year \(year) open (event \(e.id))")
            guard let publicKey = a["public-key"] else { return .ok }
            // The first admin declares themselves in the same step; a refusal leaves no journal.
            let declared = Result { try ActorCommand.declare(a, store: store, publicKey: publicKey) }
            if case .success(.ok) = declared { return .ok }
            for f in [store.path] + JournalFiles.paths(beside: store.path) { try? FileManager.default.removeItem(atPath: f) }
            err("fledger init: the journal was not kept: its first admin could not be declared")
            return try declared.get()
        }
    }
}

enum OpenYearCommand {
    static let spec = CommandSpec(
        name: "open-year", summary: "open a further fiscal year for posting",
        usage: "open-year --year YYYY --actor NAME [--journal PATH]",
        options: [Options.journal, Options.catalogue, Options.key, Options.year.noting("the one to open"), Options.id(), Options.actor, Options.memo],
        details: "Posts are accepted only in open fiscal years; `init` opens the first.")

    static func run(_ a: ParsedArgs) throws -> Exit {
        let request = Request(id: try Context.eventID(a), date: nil, actor: try Context.actor(a) ?? "", memo: a["memo"] ?? "",
                              body: .yearOpen(year: try Context.year(a)))
        return try PostCommand.report(try Context.writer(a).post([request]), format: .text)
    }
}

enum PostCommand {
    static let fieldOptions: [OptionSpec] = [
        Options.id().noting("re-posting the same id with the same content is a no-op"),
        OptionSpec(name: "date", value: "YYYY-MM-DD", help: "effective date; must fall in an open fiscal year"),
        OptionSpec(name: "fund", value: "CODE", help: "fund source, e.g. gpb (一般公共预算财政拨款)"),
        OptionSpec(name: "item", value: "CODE", help: "功能分类 项, 7 digits, e.g. 2010350"),
        OptionSpec(name: "econ", value: "CODE", help: "经济分类 款, 5 digits, e.g. 30101 (required for disbursements)"),
        OptionSpec(name: "nature", value: "basic|project", help: "基本支出 or 项目支出"),
        OptionSpec(name: "project", value: "CODE", help: "project code (required with nature project)"),
        OptionSpec(name: "amount", value: "AMOUNT", help: "yuan (4674200.00) or 万元 (467.42万); at most one 分 of precision"),
        OptionSpec(name: "doc", value: "TEXT", help: "document reference (批复文号) of an appropriation or budget adjustment"),
        OptionSpec(name: "payee", value: "TEXT", help: "who was paid (disbursement)"),
        OptionSpec(name: "voucher", value: "TEXT", help: "voucher number (凭证号) (disbursement)"),
        OptionSpec(name: "kind", value: "KIND", help: "adjustment kind: budget, reversal or reclassification"),
        OptionSpec(name: "target", value: "ID", help: "the event a reversal or reclassification corrects"),
        OptionSpec(name: "prior-year", value: "YYYY", help: "a correction of a closed year's disbursement (以前年度调整): that year (filled in when omitted)"),
        OptionSpec(name: "override", value: "REASON", help: "post despite insufficient budget; the reason is recorded in the event"),
        Options.actor, Options.memo,
    ]

    static let spec = CommandSpec(
        name: "post", summary: "append one appropriation, disbursement or adjustment",
        usage: "post appropriation|disbursement|adjustment [FIELDS] [--format text|json] [--journal PATH]",
        options: [Options.journal, Options.catalogue, Options.format(TextOrJSON.self), Options.key] + fieldOptions,
        details: """
        Examples:
          fledger post appropriation --date 2023-01-01 --fund gpb --item 2010350 --nature basic \\
              --amount 467.42万 --doc 泸财预〔2023〕1号 --actor 王会计
          fledger post disbursement --date 2023-01-15 --fund gpb --item 2010350 --econ 30101 \\
              --nature basic --amount 120000.00 --payee 职工工资 --voucher 记-01-0001 --actor 王会计
          fledger post adjustment --kind budget --date 2023-06-30 --fund gpb --item 2010350 \\
              --nature basic --amount -5000 --doc 泸财预〔2023〕45号 --actor 王会计
          fledger post adjustment --kind reversal --target D-0001 --date 2023-01-20 --actor 王会计
          fledger post adjustment --kind reclassification --target D-0001 --econ 30102 --date 2023-01-20 --actor 王会计

        After a year is closed, correct one of its disbursements by a reversal or reclassification
        dated in an open year: it is recorded as a prior-year adjustment (prior_year), shown in that
        year's 以前年度调整 column, and leaves the closed year's figures as they were closed.

        A reversal or reclassification takes the whole remaining amount of its target unless
        --amount says less, and keeps every classification field not given. Nothing is ever
        edited or deleted: a correction is a new event that names the one it corrects.
        The event is acknowledged only after it is on disk (fsync).
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        guard a.positionals.count == 1, let type = a.positionals.first else {
            throw UsageError(message: "name one event type: appropriation, disbursement or adjustment")
        }
        guard [EventType.appropriation, .disbursement, .adjustment].map(\.rawValue).contains(type) else {
            throw UsageError(message: "'\(type)' is not an event type to post: appropriation, disbursement or adjustment")
        }
        // The flags are the journal's field names (--prior-year is prior_year): the text front
        // end parses them like a CSV or JSON Lines row, naming the field at fault.
        var fields: [String: String] = [Wire.type: type]
        for o in fieldOptions { if let v = a[o.name] { fields[o.name.replacingOccurrences(of: "-", with: "_")] = v } }
        if let actor = try Context.actor(a), fields[Wire.actor] == nil { fields[Wire.actor] = actor }   // checks --actor against the key
        let format = try Context.format(a, TextOrJSON.self)
        return try submit([Draft(fields: fields)], store: try Context.writer(a), format: format)
    }

    static func submit(_ drafts: [Draft], store: JournalStore, format: TextOrJSON) throws -> Exit {
        try report(try store.post(drafts), format: format)
    }

    static func report(_ result: JournalStore.BatchResult, format: TextOrJSON) throws -> Exit {
        let json = format == .json
        switch result {
        case .rejected(let list):
            for (_, r) in list {
                if json { out(JSON.object(["result": .string("rejected"), "code": .string(r.code.rawValue), "field": .string(r.field), "message": .string(r.message)]).encoded) }
                else { err(Context.rejectionText(r)) }
            }
            return .rejected
        case .committed(let results):
            for r in results {
                switch r {
                case .appended(let e):
                    if json { out(JSON.object(["result": .string("posted"), "event": .event(e)]).encoded) }
                    else { out("posted \(e.body.type.rawValue) \(e.id) as event \(e.seq)") }
                case .duplicate(let e):
                    if json { out(JSON.object(["result": .string("already_posted"), "event": .event(e)]).encoded) }
                    else { out("already posted: \(e.id) is event \(e.seq) with the same content; nothing written") }
                }
            }
            return .ok
        }
    }
}

/// A JSON string literal, for the renderers not yet building a `JSON` value.
func jsonString(_ s: String) -> String { JSON.string(s).encoded }

enum ImportCommand {
    static let spec = CommandSpec(
        name: "import", summary: "append a batch from CSV or JSON Lines, all rows or none",
        usage: "import FILE [--format csv|jsonl] [--journal PATH]",
        options: [
            Options.journal, Options.catalogue, Options.key,
            OptionSpec(name: "format", value: ImportFormat.placeholder, help: "input format: csv or jsonl; default: from the file's extension"),
            Options.actor.noting("for rows that name none"),
            OptionSpec(name: "encoding", value: "utf-8|gb18030", help: "the file's text encoding (default utf-8; a byte-order mark is fine); gb18030 for CSV saved by a spreadsheet on a Chinese desktop"),
        ],
        details: """
        Columns (CSV header) or keys (JSON Lines) are the journal's field names: type, id, date, fund,
        item, econ, nature, project, amount, doc, payee, voucher, kind, target, override, actor, memo.
        Every row is validated against the journal and the rows before it. If any row is bad, nothing
        is appended and every bad row is reported with its line number. Otherwise all rows are
        appended and made durable with one fsync.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        guard a.positionals.count == 1, let file = a.positionals.first else { throw UsageError(message: "name one file to import") }
        guard let format = try ImportFormat.given(a, "format") ?? ImportFormat.guess(path: file) else {
            throw UsageError(message: "cannot tell the format of '\(file)' from its name; give --format csv or jsonl")
        }
        let store = try Context.writer(a)
        let encodingName = a["encoding"] ?? TextEncoding.utf8.rawValue
        guard let encoding = TextEncoding(rawValue: encodingName.lowercased()) ?? (encodingName.lowercased() == "utf8" ? .utf8 : nil) else {
            throw UsageError(message: "--encoding '\(encodingName)' is not utf-8 or gb18030")
        }
        switch try Import(path: file, format: format, encoding: encoding, defaultActor: try Context.actor(a)).run(into: store) {
        case .imported(let appended, let duplicates):
            out("imported \(file): \(appended) event(s) appended" + (duplicates > 0 ? ", \(duplicates) already posted with the same content" : ""))
            return .ok
        case .unreadable(let why):
            throw Failure(exit: .io, message: "\(file): \(why)")
        case .invalidText(let bad):
            err("\(file):\(bad.line): \(bad)")
            err("nothing imported")
        case .rejected(let problems, let rows):
            for p in problems {
                switch p.kind {
                case .syntax(let message): err("\(file):\(p.line): \(message)")
                case .rejected(let r): err("\(file):\(p.line): \(Context.rejectionText(r))")
                }
            }
            err("nothing imported: \(problems.count) bad row(s) of \(rows)")
        }
        return .rejected
    }
}
