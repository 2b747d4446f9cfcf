import Foundation
import Ledger
import Reconcile

enum CheckReportCommand {
    static let spec = CommandSpec(
        name: "check-report", summary: "check a published final-accounts report: every figure against the report itself and the books",
        usage: "check-report REPORT.txt|REPORT.pdf [--journal J --year Y] [--format text|json] [--all]",
        options: [
            Context.journalOption, Context.catalogueOption,
            OptionSpec(name: "year", value: "Y", help: "the report's year (default: from its title)"),
            OptionSpec(name: "format", value: "text|json", help: "output format (default text)"),
            OptionSpec(name: "all", value: nil, help: "list the figures found true too (text format lists mismatches, rounding and unverifiable by default)"),
        ],
        details: """
        The report is UTF-8 text as `pdftotext -layout` writes it; a .pdf is converted with pdftotext when it is installed.
        Full-width digits and signs are read as ASCII. Rules (README lists each with an example): \(ReportChecker.rules.map(\.id).joined(separator: ", ")).
        Each finding gives its rule, line, the quoted text, the subject, what the report claims, what is expected and how it
        was derived, and a status: ok, mismatch, rounding (explained by each printed figure being rounded on its own,
        computed from the figures), or unverifiable with the reason. With --journal (or FLEDGER_JOURNAL set) every figure
        whose words name it is also compared with the journal's document of the year (`fledger report`).
        Exit status 1 when anything does not match, 0 otherwise; 2 usage; 3 a damaged journal; 4 an unreadable report.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        guard a.positionals.count == 1, let path = a.positionals.first else { throw UsageError(message: "name one report file (text or PDF)") }
        let json = try Context.format(a) == "json"
        let text = try read(path)
        var document: Document?
        var catalogue = try Catalogue.builtIn()
        if a["journal"] != nil || !(ProcessInfo.processInfo.environment["FLEDGER_JOURNAL"] ?? "").isEmpty {
            let store = try Context.store(a)
            catalogue = store.catalogue
            let year: Int
            if a["year"] != nil { year = try Context.year(a) }
            else {
                guard let y = ReportChecker.check(text, document: nil, catalogue: catalogue).year else {
                    throw UsageError(message: "cannot tell the report's year from its title; give --year")
                }
                year = y
            }
            document = try Reconciler.document(store, year: year)
        }
        let r = ReportChecker.check(text, document: document, catalogue: catalogue)
        if json {
            let findings = r.findings.map { f in
                "{\"rule\":\(jsonString(f.rule)),\"line\":\(f.line),\"quote\":\(jsonString(f.quote)),\"subject\":\(jsonString(f.subject)),\"claimed\":\(jsonString(f.claimed)),"
                    + "\"expected\":\(jsonString(f.expected)),\"derivation\":\(jsonString(f.derivation)),\"status\":\"\(f.status.rawValue)\"}"
            }
            out("{\"report\":\(jsonString(path)),\"year\":\(r.year.map(String.init) ?? "null"),\"journal\":\(document != nil),"
                + "\"summary\":{\"figures\":\(r.figuresFound),\"findings\":\(r.findings.count),\"ok\":\(r.count(.ok)),\"mismatch\":\(r.count(.mismatch)),"
                + "\"rounding\":\(r.count(.rounding)),\"unverifiable\":\(r.count(.unverifiable))},\"findings\":[\n" + findings.joined(separator: ",\n") + "\n]}")
        } else {
            out("check-report \(path)" + (r.year.map { " (\($0)年度)" } ?? "") + (document != nil ? " against the journal" : ""))
            for f in r.findings where a.flags.contains("all") || f.status != .ok {
                out("\(path):\(f.line): \(f.status.rawValue.uppercased()) [\(f.rule)] \(f.subject): claims \(f.claimed)" + (f.expected.isEmpty ? "" : ", expected \(f.expected)")
                    + " — \(f.derivation)")
                out("    \(f.quote)")
            }
            out("figures found: \(r.figuresFound); checks: \(r.findings.count); ok \(r.count(.ok)), mismatch \(r.count(.mismatch)), rounding \(r.count(.rounding)), unverifiable \(r.count(.unverifiable))")
        }
        return r.count(.mismatch) > 0 ? .rejected : .ok
    }

    static func read(_ path: String) throws -> String {
        if path.lowercased().hasSuffix(".pdf") {
            guard let tool = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw Failure(exit: .io, message: "\(path) is a PDF and pdftotext is not installed: install poppler-utils (apt-get install poppler-utils), or give the text of `pdftotext -layout REPORT.pdf`")
            }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = ["-layout", path, "-"]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = FileHandle.nullDevice
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw Failure(exit: .io, message: "pdftotext could not read \(path)") }
            return String(decoding: data, as: UTF8.self)
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(exit: .io, message: "\(path): cannot read the file") }
        guard let s = String(data: data, encoding: .utf8) else {
            throw Failure(exit: .io, message: "\(path) is not UTF-8 text (a report saved as GBK? convert it: iconv -f GB18030 -t UTF-8)")
        }
        return s.hasPrefix("\u{FEFF}") ? String(s.dropFirst()) : s
    }
}
