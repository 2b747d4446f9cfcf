import Foundation
import Ledger
import Reconcile
import Render

enum CheckReportCommand {
    static let spec = CommandSpec(
        name: "check-report", summary: "check published budget / final-accounts reports: every figure against the report itself and the books",
        usage: "check-report REPORT.txt|REPORT.pdf … [--journal PATH --year YYYY] [--format text|json|csv|html] [--all] [--tables]",
        options: [
            Options.journal, Options.catalogue,
            Options.year.noting("default: the report's, read from its title"),
            Options.format(CheckReportFormat.self, "html: a self-contained review page"),
            OptionSpec(name: "all", value: nil, help: "list the figures found true too (text format lists mismatches, rounding and unverifiable by default)"),
            OptionSpec(name: "tables", value: nil, help: "print the tables as read (title, unit, header, rows) instead of checking; --format csv|json|text"),
        ],
        details: """
        Each report is UTF-8 text as `pdftotext -layout` writes it (form feeds between pages); a .pdf is converted with
        pdftotext when it is installed. Full-width digits and signs are read as ASCII. The reader joins lines wrapped inside
        a sentence or a word (增\\n加, 4755.32\\n万元), carries tables across page breaks, reads wrapped row names, blank
        cells, 类 / 款 / 项 codes in separate columns and side-by-side panels; the rules run on what it read.
        Rules (README lists each with an example): \(ReportChecker.Rule.allCases.map(\.rawValue).joined(separator: ", ")).
        Each finding gives its rule, page (p.N) and line, the quoted text, the subject, what the report claims, what is
        expected and how it was derived, and a status: ok, mismatch, rounding (explained by each printed figure being
        rounded on its own, computed from the figures), or unverifiable with the reason. With --journal (or FLEDGER_JOURNAL
        set) every figure whose words name it is also compared with the journal's document of the year (`fledger report`).
        Many reports at once: text ends with a table of reports and counts; json prints an array of per-report objects
        (one report: that object); csv one row per finding (report,page,line,rule,status,subject,claimed,expected,derivation).
        Exit status 1 when any report has a mismatch, 0 otherwise; 2 usage; 3 a damaged journal; 4 an unreadable report.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        guard !a.positionals.isEmpty else { throw UsageError(message: "name one or more report files (text or PDF)") }
        let format = try Context.format(a, CheckReportFormat.self)
        if a.flags.contains("tables") {
            let tableFormat: TableFormat
            switch format {
            case .text: tableFormat = .text
            case .json: tableFormat = .json
            case .csv: tableFormat = .csv
            case .html: throw UsageError(message: "--tables prints text, csv or json, not html")
            }
            for path in a.positionals { printTables(path, try read(path), format: tableFormat) }
            return .ok
        }
        let results = try check(a)
        let all = a.flags.contains("all")
        switch format {
        case .json:
            let objects = results.map { json($0.path, $0.result, journal: $0.journal) }
            out(objects.count == 1 ? objects[0] : "[\n" + objects.joined(separator: ",\n") + "\n]")
        case .csv:
            out("report,page,line,rule,status,subject,claimed,expected,derivation")
            for r in results {
                for f in r.result.findings where all || f.status != .ok {
                    out([r.path, String(f.page), String(f.line), f.rule.rawValue, f.status.rawValue, f.subject, f.claimed, f.expected, f.derivation]
                        .map(csvField).joined(separator: ","))
                }
            }
        case .html:
            out(ReviewPage.html(results.map { ($0.path, $0.text, $0.result) }, all: all))
        case .text:
            for r in results { text(r.path, r.result, journal: r.journal, all: all) }
            if results.count > 1 { printSummary(results.map { ($0.path, $0.result) }) }
        }
        return results.contains { $0.result.count(.mismatch) > 0 } ? .rejected : .ok
    }

    /// Every report named, checked on its own and, with a journal, against the journal's document of its year.
    static func check(_ a: ParsedArgs) throws -> [(path: String, text: String, result: ReportChecker.Result, journal: Bool)] {
        var catalogue = try Catalogue.builtIn()
        var store: JournalStore?
        if a["journal"] != nil || !(ProcessInfo.processInfo.environment["FLEDGER_JOURNAL"] ?? "").isEmpty {
            let s = try Context.store(a)
            store = s
            catalogue = s.catalogue
        }
        var results: [(path: String, text: String, result: ReportChecker.Result, journal: Bool)] = []
        for path in a.positionals {
            let text = try read(path)
            var document: Document?
            if let store {
                let year: Int
                if a["year"] != nil { year = try Context.year(a) }
                else {
                    guard let y = ReportChecker.check(text, document: nil, catalogue: catalogue).year else {
                        throw UsageError(message: "\(path): cannot tell the report's year from its title; give --year")
                    }
                    year = y
                }
                document = try Reconciler.document(store, year: year)
            }
            results.append((path, text, ReportChecker.check(text, document: document, catalogue: catalogue), document != nil))
        }
        return results
    }

    /// The table of reports and counts that ends the text of several reports.
    static func printSummary(_ results: [(path: String, result: ReportChecker.Result)]) {
        out("")
        let width = max(6, results.map(\.path.count).max() ?? 0)
        out("report".padding(toLength: width, withPad: " ", startingAt: 0) + "  figures  mismatch  rounding  unverifiable  ok")
        for r in results {
            let x = r.result
            out(r.path.padding(toLength: width, withPad: " ", startingAt: 0)
                + "  " + pad(x.figuresFound, 7) + "  " + pad(x.count(.mismatch), 8) + "  " + pad(x.count(.rounding), 8)
                + "  " + pad(x.count(.unverifiable), 12) + "  " + pad(x.count(.ok), 2))
        }
    }

    static func pad(_ n: Int, _ w: Int) -> String { String(repeating: " ", count: max(0, w - String(n).count)) + String(n) }

    static func text(_ path: String, _ r: ReportChecker.Result, journal: Bool, all: Bool) {
        out("check-report \(path)" + (r.year.map { " (\($0)年度)" } ?? "") + (journal ? " against the journal" : ""))
        for f in r.findings where all || f.status != .ok {
            out("\(path):\(f.line): p.\(f.page) \(f.status.rawValue.uppercased()) [\(f.rule.rawValue)] \(f.subject): claims \(f.claimed)"
                + (f.expected.isEmpty ? "" : ", expected \(f.expected)") + " — \(f.derivation)")
            out("    \(f.quote)")
        }
        out("figures found: \(r.figuresFound); checks: \(r.findings.count); ok \(r.count(.ok)), mismatch \(r.count(.mismatch)), rounding \(r.count(.rounding)), unverifiable \(r.count(.unverifiable))")
    }

    static func json(_ path: String, _ r: ReportChecker.Result, journal: Bool) -> String {
        let findings = r.findings.map { f in
            "{\"rule\":\(jsonString(f.rule.rawValue)),\"page\":\(f.page),\"line\":\(f.line),\"quote\":\(jsonString(f.quote)),\"subject\":\(jsonString(f.subject)),"
                + "\"claimed\":\(jsonString(f.claimed)),\"expected\":\(jsonString(f.expected)),\"derivation\":\(jsonString(f.derivation)),\"status\":\"\(f.status.rawValue)\"}"
        }
        return "{\"report\":\(jsonString(path)),\"year\":\(r.year.map(String.init) ?? "null"),\"journal\":\(journal),"
            + "\"summary\":{\"figures\":\(r.figuresFound),\"findings\":\(r.findings.count),\"ok\":\(r.count(.ok)),\"mismatch\":\(r.count(.mismatch)),"
            + "\"rounding\":\(r.count(.rounding)),\"unverifiable\":\(r.count(.unverifiable))},\"findings\":[\n" + findings.joined(separator: ",\n") + "\n]}"
    }

    /// The tables as the reader saw them: a user sees what the checker checked, and gets a PDF's tables as CSV.
    static func printTables(_ path: String, _ text: String, format: TableFormat) {
        let tables = ReportChecker.tables(of: text)
        func cells(_ r: ReportTable.Row) -> [String] {
            r.slots.map { s in switch s { case .value(let c): return c.printed; case .blank: return ""; case .unknown: return "?" } }
        }
        switch format {
        case .csv:
            out("report,table,title,unit,page,line,panel,code,name,cells…")
            for (k, t) in tables.enumerated() {
                for r in t.rows {
                    out(([path, String(k + 1), t.title, t.unit, String(r.page), String(r.line), String(r.panel), r.code, r.name] + cells(r)).map(csvField).joined(separator: ","))
                }
            }
        case .json:
            let objects = tables.map { t in
                let rows = t.rows.map { r in
                    "{\"page\":\(r.page),\"line\":\(r.line),\"panel\":\(r.panel),\"code\":\(jsonString(r.code)),\"name\":\(jsonString(r.name)),\"cells\":["
                        + r.slots.map { s in switch s { case .value(let c): return jsonString(c.printed); case .blank: return "\"\""; case .unknown: return "null" } }.joined(separator: ",") + "]}"
                }
                return "{\"report\":\(jsonString(path)),\"title\":\(jsonString(t.title)),\"unit\":\(jsonString(t.unit)),\"page\":\(t.page),\"line\":\(t.line),"
                    + "\"aligned\":\(t.aligned),\"header\":[" + t.header.map(jsonString).joined(separator: ",") + "],\"rows\":[\n" + rows.joined(separator: ",\n") + "\n]}"
            }
            out("[\n" + objects.joined(separator: ",\n") + "\n]")
        case .text:
            for (k, t) in tables.enumerated() {
                out("\(path): table \(k + 1) p.\(t.page) line \(t.line): \(t.title.isEmpty ? "(untitled)" : t.title)" + (t.unit.isEmpty ? "" : " 单位：\(t.unit)")
                    + (t.header.isEmpty ? "" : " — header: " + t.header.joined(separator: " / ")))
                for r in t.rows {
                    out("  \(r.line) p.\(r.page)\(r.panel > 0 ? " [panel \(r.panel + 1)]" : "") \(r.code.isEmpty ? "" : r.code + " ")\(r.name) | " + cells(r).map { $0.isEmpty ? "·" : $0 }.joined(separator: " | "))
                }
            }
        }
    }

    /// The report's text: UTF-8 as it is, or a PDF (told by its first bytes, whatever its name)
    /// through pdftotext, as the web's upload reads it (`ReportText`).
    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(exit: .io, message: "\(path): cannot read the file") }
        do { return try ReportText.text(of: [UInt8](data), name: path) } catch { throw Failure(exit: .io, message: error.description) }
    }
}

/// The review page: one self-contained HTML file (no external assets) with each report's text, line-numbered,
/// every finding at its line with its derivation, and a summary by rule linking to them.
enum ReviewPage {
    static func html(_ reports: [(path: String, text: String, result: ReportChecker.Result)], all: Bool) -> String {
        var o = """
        <!DOCTYPE html>
        <html lang="zh"><head><meta charset="utf-8"><title>check-report</title>
        <style>
        body{font:14px/1.45 system-ui,"Noto Sans CJK SC",sans-serif;margin:0 1.5em;color:#222}
        h1{font-size:1.3em}h2{font-size:1.1em;margin-top:2em}
        table.sum{border-collapse:collapse;margin:.5em 0}table.sum td,table.sum th{border:1px solid #ccc;padding:2px 8px;text-align:left}
        .text{font-family:"Noto Sans Mono CJK SC",monospace;font-size:13px;white-space:pre-wrap}
        .l{display:block}.n{color:#999;display:inline-block;width:4.5em;user-select:none}
        .hit{background:#fff4e0}.f{display:block;margin:2px 0 6px 4.5em;padding:3px 8px;border-left:4px solid #c33;background:#fdeeee;font-family:system-ui,sans-serif;white-space:normal}
        .f.rounding{border-color:#c90;background:#fff8e0}.f.unverifiable{border-color:#888;background:#f3f3f3}.f.ok{border-color:#393;background:#eef8ee}
        .pb{border-top:1px dashed #aaa;color:#999;font-size:11px;display:block}
        </style></head><body>
        <h1>check-report: \(reports.count) report\(reports.count == 1 ? "" : "s")</h1>

        """
        for (k, r) in reports.enumerated() {
            let shown = r.result.findings.filter { all || $0.status != .ok }
            let anchor = reports.count == 1 ? "" : "R\(k + 1)-"
            o += "<h2 id=\"R\(k + 1)\">\(HTML.escape(r.path))" + (r.result.year.map { " (\($0)年度)" } ?? "") + "</h2>\n"
            o += "<p>figures found \(r.result.figuresFound); mismatch \(r.result.count(.mismatch)), rounding \(r.result.count(.rounding)), unverifiable \(r.result.count(.unverifiable)), ok \(r.result.count(.ok))</p>\n"
            // Summary by rule, each finding linking to its line.
            o += "<table class=\"sum\"><tr><th>rule</th><th>status</th><th>findings</th></tr>\n"
            let byRule = Dictionary(grouping: shown, by: { "\($0.rule.rawValue)\u{1}\($0.status.rawValue)" })
            for key in byRule.keys.sorted() {
                let fs = byRule[key]!
                let links = fs.map { "<a href=\"#\(anchor)L\($0.line)\">p.\($0.page) l.\($0.line)</a>" }.joined(separator: " ")
                o += "<tr><td>\(HTML.escape(fs[0].rule.rawValue))</td><td>\(fs[0].status.rawValue)</td><td>\(links)</td></tr>\n"
            }
            o += "</table>\n<div class=\"text\">"
            let byLine = Dictionary(grouping: shown, by: \.line)
            let lines = r.text.split(separator: "\n", omittingEmptySubsequences: false)
            var page = 1
            for (n, raw) in lines.enumerated() {
                let line = n + 1
                let feeds = raw.filter { $0 == "\u{0C}" }.count
                if feeds > 0 { page += feeds; o += "<span class=\"pb\">p.\(page)</span>" }
                let body = HTML.escape(String(raw.filter { $0 != "\u{0C}" && $0 != "\r" }))
                if let fs = byLine[line] {
                    o += "<span class=\"l hit\" id=\"\(anchor)L\(line)\"><span class=\"n\">\(line)</span>\(body)</span>"
                    for f in fs {
                        o += "<span class=\"f \(f.status.rawValue)\">p.\(f.page) <b>\(f.status.rawValue.uppercased())</b> [\(HTML.escape(f.rule.rawValue))] \(HTML.escape(f.subject)): claims \(HTML.escape(f.claimed))"
                            + (f.expected.isEmpty ? "" : ", expected \(HTML.escape(f.expected))") + " — \(HTML.escape(f.derivation))</span>"
                    }
                } else {
                    o += "<span class=\"l\"><span class=\"n\">\(line)</span>\(body)</span>"
                }
            }
            o += "</div>\n"
        }
        return o + "</body></html>"
    }
}
