import Foundation
import Ledger
import Render

enum BudgetCommand {
    static let spec = CommandSpec(
        name: "budget", summary: "budget against actual for a fiscal year, grouped",
        usage: "budget --year Y [--by item|project|econ|fund|nature|sangong] [--as-of DATE | --until-seq N] [--unit yuan|wan] [--format text|csv|json]",
        options: [
            Context.journalOption, Context.catalogueOption,
            OptionSpec(name: "year", value: "Y", help: "fiscal year (required)"),
            OptionSpec(name: "by", value: "VIEW", help: "item (功能分类 类/款/项, default), project, econ (经济分类 类/款), fund, nature (基本/项目, 人员/公用), sangong (“三公”)"),
            OptionSpec(name: "as-of", value: "DATE", help: "only events whose effective date is on or before DATE (accounting order)"),
            OptionSpec(name: "until-seq", value: "N", help: "only events 1…N (audit order: the journal as it stood after event N)"),
            OptionSpec(name: "unit", value: "yuan|wan", help: "amounts in yuan (default) or 万元 rounded half up, each cell on its own"),
            OptionSpec(name: "format", value: "text|csv|json", help: "table (default); CSV (yuan, two decimals); JSON (amounts in integer 分)"),
        ],
        details: """
        Columns: 年初结转 (carried forward by last year's close; shown when any), 年初预算 (appropriations dated
        1 January), 调整 (budget adjustments and later appropriations), 调整后预算 (all three), 执行数
        (disbursements net of corrections), 可用余额, 执行率 (执行数 ÷ 调整后预算, two decimals; empty where the
        budget is zero), 以前年度调整 (corrections of a closed year's spending; shown when any, not in 执行数).
        Corrections count in the column of the event they correct, on their own date. 合计 comes first.
        待审批预算, 待审批执行: what items waiting for approval would add once approved (shown when any;
        they count in no other column).
        CSV header: code,name,budget_initial,adjustments,budget,actual,available,rate
        (then pending_budget,pending_actual when any item waits)
        The journal is read, not verified: `fledger verify` checks its hash chain.
        Without --as-of or --until-seq, a journal of 10,000 events or more is read from J.fledger-projection (the
        figures of an earlier prefix, saved by an earlier read; derived, safe to delete) and the lines after it;
        `fledger verify` checks that file against the journal.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let format = try Context.format(a, allowed: ["text", "csv", "json"])
        let year = try Context.year(a)
        let viewName = a["by"] ?? "item"
        guard let view = BudgetView(rawValue: viewName) else {
            throw UsageError(message: "--by '\(viewName)' is not one of \(BudgetView.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let filter = try projectionFilter(a)
        let money = try Context.unit(a)
        let store = try Context.store(a)
        _ = try store.checkBeforeReading()
        let projection = try store.project(filter)
        let report = BudgetReport(projection: projection, year: year, view: view, catalogue: store.catalogue)
        let anyWaiting = report.hasPending
        let cells: (Figures) -> [String] = { f in
            [money(f.initial), money(f.adjustments), money(f.budget), money(f.actual), money(f.available), f.rate?.description ?? ""]
        }
        switch format {
        case "csv":
            let plain = (a["unit"] ?? "yuan") == "yuan" ? { (f: Fen) in f.yuan } : money
            out("code,name,budget_initial,adjustments,budget,actual,available,rate" + (anyWaiting ? ",pending_budget,pending_actual" : ""))
            for r in report.rows {
                let f = r.figures
                let extra = anyWaiting ? [plain(r.pending.budget), plain(r.pending.actual)] : []
                out(([r.code, r.name] + [plain(f.initial), plain(f.adjustments), plain(f.budget), plain(f.actual), plain(f.available), f.rate?.description ?? ""] + extra).map(csvField).joined(separator: ","))
            }
        case "json":
            let rows: [JSON] = report.rows.map { r in
                let f = r.figures
                return .object(["code": .string(r.code), "name": .string(r.name), "level": .int(r.level), "subtotal": .bool(r.isSubtotal),
                                "budget_initial": .fen(f.initial), "adjustments": .fen(f.adjustments), "budget": .fen(f.budget),
                                "actual": .fen(f.actual), "available": .fen(f.available), "rate": .percent(f.rate),
                                "carried": .fen(f.carried), "prior_year": .fen(f.priorYear),
                                "pending_budget": .fen(r.pending.budget), "pending_actual": .fen(r.pending.actual)])
            }
            out(JSON.object(["year": .int(year), "by": .string(view.rawValue), "as_of": .string(filter.asOf?.description),
                             "until_seq": .int(filter.untilSeq), "events": .int(projection.events), "last_seq": .int(projection.lastSeq),
                             "amounts": .string("fen"), "rows": .array(rows, .perElement)]).encoded)
        default:
            out("\(year) 年预算执行 \(view.title)（\(filter.scope)，\(projection.events) 笔事件计入；单位：\((a["unit"] ?? "yuan") == "wan" ? "万元" : "元")）")
            // 年初结转 and 以前年度调整 appear only when the year has any.
            let carried = report.hasCarried, prior = report.hasPriorYear
            var headers = ["编码", "名称"] + (carried ? ["年初结转"] : []) + ["年初预算", "调整", "调整后预算", "执行数", "可用余额", "执行率%"]
            if prior { headers.append("以前年度调整") }
            if anyWaiting { headers += ["待审批预算", "待审批执行"] }
            var t = TextTable(headers, align: [.left, .left] + Array(repeating: .right, count: headers.count - 2))
            for r in report.rows {
                var row = [r.code, String(repeating: "  ", count: max(0, r.level - 1)) + r.name]
                if carried { row.append(money(r.figures.carried)) }
                row += cells(r.figures)
                if prior { row.append(money(r.figures.priorYear)) }
                if anyWaiting { row += [money(r.pending.budget), money(r.pending.actual)] }
                t.add(row)
            }
            write(t.render(), to: 1)
            if anyWaiting { out("待审批: items waiting for a second person's approval, counted in no other column (fledger log --pending)") }
        }
        return .ok
    }

    static func projectionFilter(_ a: ParsedArgs) throws(UsageError) -> ProjectionFilter {
        var f = ProjectionFilter()
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
}

enum ExportCommand {
    static let spec = CommandSpec(
        name: "export", summary: "write the journal as a ledger-cli, hledger or Beancount file, or CSV postings",
        usage: "export --format ledger|hledger|beancount|csv [--output FILE]",
        options: [
            Context.journalOption, Context.catalogueOption,
            OptionSpec(name: "format", value: "FORMAT", help: "ledger, hledger, beancount or csv (required)"),
            OptionSpec(name: "output", value: "FILE", help: "write to FILE instead of standard output"),
        ],
        details: """
        Accounts per budget line: Income:Appropriation:Y:FUND:ITEM:NATURE[:PROJECT] (budget granted, negative),
        Assets:Budget:… (still available) and Expenses:Y:FUND:ITEM:NATURE[:PROJECT]:ECON (spent).
        Cross-check: `ledger -f FILE balance ^Expenses:2023` equals `fledger budget --year 2023`'s 执行数;
        `hledger -f FILE balance Expenses:2023` and `bean-report FILE balances` likewise. Amounts in CNY (yuan).
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let name = try a.required("format")
        guard let format = ExportFormat(rawValue: name) else {
            throw UsageError(message: "--format '\(name)' is not one of \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let store = try Context.store(a)
        if let path = a["output"] {
            try Export(format: format).write(store, toFile: path)
        } else {
            flushStdout()
            let spool = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
            if let failed = try Export(format: format).write(store, spoolDirectory: spool, to: { writeAll($0, fd: 1) }) { outputFailure = failed }
        }
        return .ok
    }
}
