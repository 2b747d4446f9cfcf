import Foundation
import Ledger
import Render

enum BudgetCommand {
    static let spec = CommandSpec(
        name: "budget", summary: "budget against actual for a fiscal year, grouped",
        usage: "budget --year YYYY [--by item|project|econ|fund|nature|sangong] [--as-of DATE | --until-seq N] [--unit yuan|wan] [--format text|csv|json]",
        options: [
            Options.journal, Options.catalogue, Options.year.noting("required"),
            OptionSpec(name: "by", value: "VIEW", help: "item (功能分类 类/款/项, default), project, econ (经济分类 类/款), fund, nature (基本/项目, 人员/公用), sangong (“三公”)"),
            Options.asOf, Options.untilSeq, Options.money(default: .yuan),
            Options.format(TableFormat.self, "csv in yuan with two decimals (or 万元 with --unit wan), json in integer 分"),
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
        let format = try Context.format(a, TableFormat.self)
        let year = try Context.year(a)
        let view = try BudgetView.given(a, "by", else: .item)
        let filter = try Context.projectionFilter(a)
        let unit = try Context.money(a, default: .yuan)
        let store = try Context.store(a)
        _ = try store.checkBeforeReading()
        let projection = try store.project(filter)
        let report = BudgetReport(projection: projection, year: year, view: view, catalogue: store.catalogue)
        switch format {
        case .csv: printCSV(report, money: unit.plain)
        case .json: printJSON(report, projection: projection, year: year, view: view, filter: filter)
        case .text:
            out("\(year) 年预算执行 \(view.title)（\(filter.scope)，\(projection.events) 笔事件计入；单位：\(unit.title)）")
            printTable(report, money: unit.grouped)
        }
        return .ok
    }

    static func printCSV(_ report: BudgetReport, money: (Fen) -> String) {
        let anyWaiting = report.hasPending
        out("code,name,budget_initial,adjustments,budget,actual,available,rate" + (anyWaiting ? ",pending_budget,pending_actual" : ""))
        for r in report.rows {
            let f = r.figures
            let extra = anyWaiting ? [money(r.pending.budget), money(r.pending.actual)] : []
            out(([r.code, r.name] + [money(f.initial), money(f.adjustments), money(f.budget), money(f.actual), money(f.available), f.rate?.description ?? ""] + extra)
                .map(csvField).joined(separator: ","))
        }
    }

    static func printJSON(_ report: BudgetReport, projection: Projection, year: Int, view: BudgetView, filter: ProjectionFilter) {
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
    }

    static func printTable(_ report: BudgetReport, money: (Fen) -> String) {
        // 年初结转 and 以前年度调整 appear only when the year has any.
        let carried = report.hasCarried, prior = report.hasPriorYear, anyWaiting = report.hasPending
        var headers = ["编码", "名称"] + (carried ? ["年初结转"] : []) + ["年初预算", "调整", "调整后预算", "执行数", "可用余额", "执行率%"]
        if prior { headers.append("以前年度调整") }
        if anyWaiting { headers += ["待审批预算", "待审批执行"] }
        var t = TextTable(headers, align: [.left, .left] + Array(repeating: .right, count: headers.count - 2))
        for r in report.rows {
            let f = r.figures
            var row = [r.code, String(repeating: "  ", count: max(0, r.level - 1)) + r.name]
            if carried { row.append(money(f.carried)) }
            row += [money(f.initial), money(f.adjustments), money(f.budget), money(f.actual), money(f.available), f.rate?.description ?? ""]
            if prior { row.append(money(f.priorYear)) }
            if anyWaiting { row += [money(r.pending.budget), money(r.pending.actual)] }
            t.add(row)
        }
        write(t.render(), to: 1)
        if anyWaiting { out("待审批: items waiting for a second person's approval, counted in no other column (fledger log --pending)") }
    }
}

enum ExportCommand {
    static let spec = CommandSpec(
        name: "export", summary: "write the journal as a ledger-cli, hledger or Beancount file, or CSV postings",
        usage: "export --format ledger|hledger|beancount|csv [--output FILE]",
        options: [
            Options.journal, Options.catalogue,
            Options.format(ExportFormat.self, required: true),
            Options.output,
        ],
        details: """
        Accounts per budget line: Income:Appropriation:Y:FUND:ITEM:NATURE[:PROJECT] (budget granted, negative),
        Assets:Budget:… (still available) and Expenses:Y:FUND:ITEM:NATURE[:PROJECT]:ECON (spent).
        Cross-check: `ledger -f FILE balance ^Expenses:2023` equals `fledger budget --year 2023`'s 执行数;
        `hledger -f FILE balance Expenses:2023` and `bean-report FILE balances` likewise. Amounts in CNY (yuan).
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let format = try ExportFormat.parse(try a.required("format"), option: "format")
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
