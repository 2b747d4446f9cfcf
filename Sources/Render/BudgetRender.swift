import Ledger

/// Budget against actual as CSV and JSON, the same bytes `fledger budget --format csv|json`
/// prints (the web page's downloads are these). Items waiting for approval count in no figure;
/// their own columns show them when any waits.
public struct BudgetTable: Sendable {
    public let year: Int
    public let view: BudgetView
    public let filter: ProjectionFilter
    public let events: Int
    public let lastSeq: Int
    public let rows: [BudgetRow]
    /// What waiting items would add, per row code.
    public let waiting: [String: Figures]
    public let anyWaiting: Bool

    public init(projection: Projection, year: Int, view: BudgetView, filter: ProjectionFilter, catalogue: Catalogue) {
        self.year = year; self.view = view; self.filter = filter
        events = projection.events; lastSeq = projection.lastSeq
        rows = BudgetReport(projection: projection, year: year, view: view, catalogue: catalogue).rows
        let waitingRows = BudgetReport(projection: projection.waiting, year: year, view: view, catalogue: catalogue).rows
        waiting = Dictionary(waitingRows.map { ($0.code, $0.figures) }, uniquingKeysWith: { a, _ in a })
        anyWaiting = waitingRows.contains { !$0.figures.isZero }
    }

    public func pending(_ r: BudgetRow) -> Figures { waiting[r.code] ?? Figures() }

    /// 按功能分类, 按项目, …: the view's title.
    public static func title(_ v: BudgetView) -> String {
        switch v {
        case .item: "按功能分类"
        case .project: "按项目"
        case .econ: "按经济分类"
        case .fund: "按资金来源"
        case .nature: "按支出性质"
        case .sangong: "“三公”经费"
        }
    }

    /// CSV in yuan (`plain`: the amount format; yuan with two decimals unless asked otherwise).
    public func csv(plain: (Fen) -> String = { $0.yuan }) -> String {
        var out = "code,name,budget_initial,adjustments,budget,actual,available,rate" + (anyWaiting ? ",pending_budget,pending_actual" : "") + "\n"
        for r in rows {
            let f = r.figures
            let extra = anyWaiting ? [plain(pending(r).budget), plain(pending(r).actual)] : []
            out += ([r.code, r.name] + [plain(f.initial), plain(f.adjustments), plain(f.budget), plain(f.actual), plain(f.available), f.rate?.description ?? ""] + extra)
                .map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// JSON, amounts in integer 分.
    public func json() -> String {
        func str(_ s: String) -> String { var b: [UInt8] = []; FlatJSON.appendString(s, to: &b); return String(decoding: b, as: UTF8.self) }
        var lines: [String] = []
        for r in rows {
            let f = r.figures
            lines.append("{\"code\":\(str(r.code)),\"name\":\(str(r.name)),\"level\":\(r.level),\"subtotal\":\(r.isSubtotal),"
                + "\"budget_initial\":\(f.initial.raw),\"adjustments\":\(f.adjustments.raw),\"budget\":\(f.budget.raw),"
                + "\"actual\":\(f.actual.raw),\"available\":\(f.available.raw),\"rate\":\(f.rate?.description ?? "null"),"
                + "\"carried\":\(f.carried.raw),\"prior_year\":\(f.priorYear.raw),"
                + "\"pending_budget\":\(pending(r).budget.raw),\"pending_actual\":\(pending(r).actual.raw)}")
        }
        return "{\"year\":\(year),\"by\":\(str(view.rawValue)),\"as_of\":\(filter.asOf.map { str($0.description) } ?? "null"),"
            + "\"until_seq\":\(filter.untilSeq.map(String.init) ?? "null"),\"events\":\(events),\"last_seq\":\(lastSeq),"
            + "\"amounts\":\"fen\",\"rows\":[\n" + lines.joined(separator: ",\n") + "\n]}\n"
    }
}
