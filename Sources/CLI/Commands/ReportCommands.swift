import Foundation
import Ledger

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
        // Items waiting for approval count in none of the figures; their own columns show them.
        let waitingRows = BudgetReport(projection: projection.waiting, year: year, view: view, catalogue: store.catalogue).rows
        let waiting = Dictionary(waitingRows.map { ($0.code, $0.figures) }, uniquingKeysWith: { a, _ in a })
        let anyWaiting = waitingRows.contains { !$0.figures.isZero }
        func pending(_ r: BudgetRow) -> Figures { waiting[r.code] ?? Figures() }
        let cells: (Figures) -> [String] = { f in
            [money(f.initial), money(f.adjustments), money(f.budget), money(f.actual), money(f.available), f.rate?.description ?? ""]
        }
        switch format {
        case "csv":
            let plain = (a["unit"] ?? "yuan") == "yuan" ? { (f: Fen) in f.yuan } : money
            out("code,name,budget_initial,adjustments,budget,actual,available,rate" + (anyWaiting ? ",pending_budget,pending_actual" : ""))
            for r in report.rows {
                let f = r.figures
                let extra = anyWaiting ? [plain(pending(r).budget), plain(pending(r).actual)] : []
                out(([r.code, r.name] + [plain(f.initial), plain(f.adjustments), plain(f.budget), plain(f.actual), plain(f.available), f.rate?.description ?? ""] + extra).map(csvField).joined(separator: ","))
            }
        case "json":
            var rows: [String] = []
            for r in report.rows {
                let f = r.figures
                rows.append("{\"code\":\(jsonString(r.code)),\"name\":\(jsonString(r.name)),\"level\":\(r.level),\"subtotal\":\(r.isSubtotal),"
                    + "\"budget_initial\":\(f.initial.raw),\"adjustments\":\(f.adjustments.raw),\"budget\":\(f.budget.raw),"
                    + "\"actual\":\(f.actual.raw),\"available\":\(f.available.raw),\"rate\":\(f.rate?.description ?? "null"),"
                    + "\"carried\":\(f.carried.raw),\"prior_year\":\(f.priorYear.raw),"
                    + "\"pending_budget\":\(pending(r).budget.raw),\"pending_actual\":\(pending(r).actual.raw)}")
            }
            out("{\"year\":\(year),\"by\":\(jsonString(view.rawValue)),\"as_of\":\(filter.asOf.map { jsonString($0.description) } ?? "null"),"
                + "\"until_seq\":\(filter.untilSeq.map(String.init) ?? "null"),\"events\":\(projection.events),\"last_seq\":\(projection.lastSeq),"
                + "\"amounts\":\"fen\",\"rows\":[\n" + rows.joined(separator: ",\n") + "\n]}")
        default:
            let title = ["item": "按功能分类", "project": "按项目", "econ": "按经济分类", "fund": "按资金来源", "nature": "按支出性质", "sangong": "“三公”经费"][view.rawValue]!
            let scope = filter.asOf.map { "截至 \($0)" } ?? filter.untilSeq.map { "至第 \($0) 笔事件" } ?? "全部事件"
            out("\(year) 年预算执行 \(title)（\(scope)，\(projection.events) 笔事件计入；单位：\((a["unit"] ?? "yuan") == "wan" ? "万元" : "元")）")
            // 年初结转 and 以前年度调整 appear only when the year has any.
            let carried = report.rows.contains { $0.figures.carried != .zero }
            let prior = report.rows.contains { $0.figures.priorYear != .zero }
            var headers = ["编码", "名称"] + (carried ? ["年初结转"] : []) + ["年初预算", "调整", "调整后预算", "执行数", "可用余额", "执行率%"]
            if prior { headers.append("以前年度调整") }
            if anyWaiting { headers += ["待审批预算", "待审批执行"] }
            var t = TextTable(headers, align: [.left, .left] + Array(repeating: .right, count: headers.count - 2))
            for r in report.rows {
                var row = [r.code, String(repeating: "  ", count: max(0, r.level - 1)) + r.name]
                if carried { row.append(money(r.figures.carried)) }
                row += cells(r.figures)
                if prior { row.append(money(r.figures.priorYear)) }
                if anyWaiting { row += [money(pending(r).budget), money(pending(r).actual)] }
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
        // One verified read streams the transactions into a spool file (opened and at once
        // unlinked, so nothing is left behind however the command ends), a megabyte at a time;
        // the preamble that must precede them is known only at the end. Then preamble and spool
        // go to the destination: a file is written beside its name and renamed into place, so a
        // failed export never leaves half a file there.
        let path = a["output"]
        let spoolPath = (path.map { $0 + ".fledger-body" } ?? (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/fledger-export") + "-\(getpid())"
        let spool = open(spoolPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard spool >= 0 else { throw Failure(exit: .io, message: "cannot write the spool file \(spoolPath): \(String(cString: strerror(errno)))") }
        unlink(spoolPath)
        defer { close(spool) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20 + 4096)
        var failed: String?
        func flush(_ fd: Int32) {
            guard !buffer.isEmpty, failed == nil else { return }
            failed = writeAll(buffer, fd: fd)
            buffer.removeAll(keepingCapacity: true)
        }
        let preamble = try Export(format: format).stream(store) { line in
            buffer.append(contentsOf: line.utf8)
            buffer.append(0x0a)
            if buffer.count >= 1 << 20 { flush(spool) }
        }
        flush(spool)
        if let failed { throw Failure(exit: .io, message: "cannot write the spool file \(spoolPath): \(failed)") }

        var fd: Int32 = 1
        var temporary: String?
        if let path {
            let t = path + ".fledger-tmp-\(getpid())"
            fd = open(t, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw Failure(exit: .io, message: "cannot write \(path): \(String(cString: strerror(errno)))") }
            temporary = t
        } else {
            flushStdout()
        }
        defer { if let t = temporary { close(fd); unlink(t) } }
        for line in preamble { buffer.append(contentsOf: line.utf8); buffer.append(0x0a) }
        flush(fd)
        // The spool, copied a megabyte at a time.
        var offset: off_t = 0
        buffer = [UInt8](repeating: 0, count: 1 << 20)
        while failed == nil {
            let n = buffer.withUnsafeMutableBytes { pread(spool, $0.baseAddress!, $0.count, offset) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw Failure(exit: .io, message: "cannot read the spool file back: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            failed = writeAll(buffer[..<n], fd: fd)
            offset += off_t(n)
        }
        if path == nil, let failed {
            outputFailure = failed
        }
        if let path, let t = temporary {
            guard failed == nil, fsync(fd) == 0, rename(t, path) == 0 else {
                throw Failure(exit: .io, message: "cannot write \(path): \(failed ?? String(cString: strerror(errno)))")
            }
            temporary = nil
            close(fd)
        }
        return .ok
    }
}
