import Foundation
import Ledger
import Render
import Reconcile

enum ReportCommand {
    static let spec = CommandSpec(
        name: "report", summary: "the whole final-accounts document (单位决算) of a year, every figure from the journal",
        usage: "report --year YYYY [--format text|markdown|json|html] [--as-of DATE | --until-seq N] [--output FILE]",
        options: [
            Options.journal, Options.catalogue, Options.year.noting("required"),
            Options.format(DocumentFormat.self, "json: every figure with its id, exact value, printed form and source; html: one self-contained page with charts, printable to A4 PDF"),
            Options.asOf, Options.untilSeq, Options.output,
        ],
        details: """
        Parts, in the order of the Sichuan unit template: 单位概况, 决算情况说明 (一 to 十), 名词解释, 项目支出绩效自评表,
        and the thirteen tables. Amounts are 万元, each rounded on its own from exact 分; shares, changes and completion
        rates have two decimals, rounded half up, computed from exact 分. The prior year's figures come from the
        prior year in the journal; in a journal's first year comparison sentences are left out.
        Words follow the figures (增加/减少, 增长/下降, 持平); a rate against a zero base is 不适用, never 0%.
        Texts (reasons, uses, 绩效 words) are `text` events; a sentence whose text was not written is left out
        and named in a warning on standard error (and in the JSON), so what is missing is seen before publishing.
        Exit status 0 with warnings; 3 for a damaged journal.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let format = try Context.format(a, DocumentFormat.self)
        let year = try Context.year(a)
        let filter = try Context.projectionFilter(a)
        let doc = try Reconciler.document(try Context.store(a), year: year, filter: filter)
        let text: String
        switch format {
        case .json: text = DocumentRender.json(doc) + "\n"
        case .markdown: text = DocumentRender.text(doc, markdown: true)
        case .html: text = HTMLRender.page(doc)
        case .text: text = DocumentRender.text(doc, markdown: false)
        }
        if let path = a["output"] {
            try DurableFile.write(Array(text.utf8), to: path)
        } else {
            out(text, terminator: "")
        }
        for w in doc.warnings { err("warning: \(w)") }
        return .ok
    }
}
