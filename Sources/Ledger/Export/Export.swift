import Foundation

/// The journal as a plain-text accounting file for ledger-cli, hledger or Beancount (or as
/// CSV postings), so that users can cross-check fledger's figures in tools they know.
///
/// Accounts, per budget line of a fiscal year (`Y`, fund, 项, nature, optional project):
/// - `Income:Appropriation:Y:FUND:ITEM:NATURE[:PROJECT]`: budget authority granted (negative
///   balance = 调整后预算);
/// - `Assets:Budget:Y:FUND:ITEM:NATURE[:PROJECT]`: authority not yet spent (= available);
/// - `Expenses:Y:FUND:ITEM:NATURE[:PROJECT]:ECON`: money spent (= 执行数).
///
/// An appropriation or budget adjustment moves Income → Assets:Budget; a disbursement moves
/// Assets:Budget → Expenses; a reversal posts the negative of its target; a reclassification
/// reverses the target's amount from the old classification and posts it to the new one.
/// So `ledger balance Expenses:2023` equals `fledger budget --year 2023`'s 执行数 to the fen.
public enum ExportFormat: String, CaseIterable, Sendable {
    case ledger, hledger, beancount, csv
}

public struct Export {
    public let format: ExportFormat
    public static let commodity = "CNY"

    public init(format: ExportFormat) { self.format = format }

    public struct Posting: Hashable, Sendable {
        public var account: String
        public var amount: Fen
    }

    /// Account names; components start with a capital letter or digit (Beancount's rule).
    static func line(_ c: Classification, year: Int) -> String {
        "\(year):\(c.fund.rawValue.uppercased()):\(c.item.rawValue):\(c.nature == .basic ? "Basic" : "Project")" + (c.project.map { ":\($0.rawValue)" } ?? "")
    }
    static func budget(_ c: Classification, _ y: Int) -> String { "Assets:Budget:" + line(c, year: y) }
    static func income(_ c: Classification, _ y: Int) -> String { "Income:Appropriation:" + line(c, year: y) }
    static func expense(_ c: Classification, _ y: Int) -> String { "Expenses:" + line(c, year: y) + ":" + (c.econ?.rawValue ?? "Unclassified") }

    /// The postings of one event (none for the unit and year openings). Corrections need their
    /// target.
    public static func postings(_ e: Event, target: Event?) -> [Posting] {
        let y = e.year
        func grant(_ c: Classification, _ a: Fen) -> [Posting] { [Posting(account: budget(c, y), amount: a), Posting(account: income(c, y), amount: -a)] }
        func spend(_ c: Classification, _ a: Fen) -> [Posting] { [Posting(account: expense(c, y), amount: a), Posting(account: budget(c, y), amount: -a)] }
        switch e.body {
        case .unit, .yearOpen, .close, .reopen, .fact, .access: return []
        case .carryForward(let c):
            // Authority moves from the closed year's line to the same line of the next year.
            return [Posting(account: budget(c.classification, y), amount: c.amount),
                    Posting(account: budget(c.classification, y - 1), amount: -c.amount)]
        case .appropriation(let a): return grant(a.classification, a.amount)
        case .disbursement(let d): return spend(d.classification, d.amount)
        case .adjustment(let adj) where adj.priorYear != nil:
            // 以前年度调整: the closed year's accounts stay as they were closed.
            guard case .disbursement(let d)? = target?.body else { return [] }
            func prior(_ c: Classification) -> String { "Equity:PriorYearAdjustment:" + line(c, year: y) + ":" + (c.econ?.rawValue ?? "Unclassified") }
            switch adj.kind {
            case .budget: return []
            case .reversal(_, let amount):
                return [Posting(account: prior(d.classification), amount: -amount), Posting(account: "Assets:PriorYearRefunds:\(y)", amount: amount)]
            case .reclassification(_, let amount, let to):
                return [Posting(account: prior(d.classification), amount: -amount), Posting(account: prior(to), amount: amount)]
            }
        case .adjustment(let adj):
            switch adj.kind {
            case .budget(let c, let amount, _): return grant(c, amount)
            case .reversal(_, let amount):
                switch target?.body {
                case .appropriation(let a)?: return grant(a.classification, -amount)
                case .disbursement(let d)?: return spend(d.classification, -amount)
                case .unit?, .yearOpen?, .adjustment?, .close?, .carryForward?, .reopen?, .fact?, .access?, nil: return []
                }
            case .reclassification(_, let amount, let to):
                switch target?.body {
                case .appropriation(let a)?: return grant(a.classification, -amount) + grant(to, amount)
                case .disbursement(let d)?: return spend(d.classification, -amount) + spend(to, amount)
                case .unit?, .yearOpen?, .adjustment?, .close?, .carryForward?, .reopen?, .fact?, .access?, nil: return []
                }
            }
        }
    }

    /// The file's opening lines (comments, and for Beancount its options).
    public func header(unit: UnitOpening?, events: Int) -> [String] {
        let title = unit.map { "\($0.unitCode) \($0.unitName)" } ?? ""
        switch format {
        case .csv: return ["date,seq,id,account,amount,commodity,description"]
        case .beancount:
            return ["; fledger export: \(title), \(events) events", "option \"operating_currency\" \"\(Export.commodity)\"", ""]
        case .ledger, .hledger:
            return ["; fledger export: \(title), \(events) events", ""]
        }
    }

    /// Beancount needs every account opened before use: one `open` per account, on the date of
    /// its first posting.
    public func opens(_ first: [(account: String, date: CivilDate)]) -> [String] {
        guard format == .beancount else { return [] }
        return first.map { "\($0.date) open \($0.account) \(Export.commodity)" } + [""]
    }

    /// One event as text lines.
    public func render(_ e: Event, postings: [Posting]) -> [String] {
        guard !postings.isEmpty else { return [] }
        let description = Export.description(e)
        switch format {
        case .csv:
            return postings.map { p in
                [e.date.description, String(e.seq), e.id.rawValue, p.account, p.amount.yuan, Export.commodity, description].map(csvField).joined(separator: ",")
            }
        case .beancount:
            var out = ["\(e.date) * \(Export.quoted(description))", "  fledger-id: \(Export.quoted(e.id.rawValue))"]
            out += postings.map { "  \($0.account)  \($0.amount.yuan) \(Export.commodity)" }
            return out + [""]
        case .ledger, .hledger:
            var out = ["\(e.date) * \(Export.oneLine(description))", "    ; fledger-id: \(e.id.rawValue)"]
            out += postings.map { "    \($0.account)  \($0.amount.yuan) \(Export.commodity)" }
            return out + [""]
        }
    }

    static func description(_ e: Event) -> String {
        var parts: [String] = []
        switch e.body {
        case .disbursement(let d): parts.append(d.payee); parts.append(d.voucher)
        case .appropriation(let a): parts.append(a.document)
        case .adjustment(let a):
            switch a.kind {
            case .budget(_, _, let doc): parts.append(doc)
            case .reversal(let t, _): parts.append("冲销 \(t)")
            case .reclassification(let t, _, _): parts.append("调账 \(t)")
            }
            if let y = a.priorYear { parts.append("以前年度调整（\(y)）") }
        case .close(let c): parts.append("\(c.year)年度结账")
        case .carryForward(let c): parts.append("年初结转和结余（\(c.close)）")
        case .reopen(let r): parts.append("\(r.year)年度重新开账：\(r.reason)")
        case .unit, .yearOpen, .fact, .access: break
        }
        if !e.memo.isEmpty { parts.append(e.memo) }
        return parts.filter { !$0.isEmpty }.joined(separator: " ")
    }

    static func oneLine(_ s: String) -> String {
        // Most descriptions have none of these: no need to walk their characters.
        guard s.utf8.contains(where: { $0 == 0x0a || $0 == 0x0d || $0 == 0x3b }) else { return s }
        return String(s.map { $0 == "\n" || $0 == "\r" || $0 == ";" ? " " : $0 })
    }

    static func quoted(_ s: String) -> String {
        "\"" + oneLine(s).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

extension Export {
    /// The export of a journal file, streamed in one verified read: `body` gets each line of
    /// the transactions as it is made; the lines that must come before them (the header, with
    /// the number of events, and Beancount's `open`s, which need every account's first use) are
    /// returned at the end, once the read is verified. Memory follows the number of accounts,
    /// not of events. Preamble then body are the lines `document` makes of the same events.
    public func stream(_ store: JournalStore, body: (String) -> Void) throws(JournalError) -> [String] {
        let session = try store.openForReading()
        var accounts = AccountsSeen()
        var unit: UnitOpening?
        let read = try withoutActuallyEscaping(body) { (emit) throws(JournalError) in
            try session.verifiedRead { e, target in
                if case .unit(let u) = e.body { unit = u }
                let postings = Export.postings(e, target: target)
                if format == .beancount { accounts.note(postings, on: e.date) }   // only its `open`s need them
                for l in render(e, postings: postings) { emit(l) }
            }
        }
        return header(unit: unit, events: read.report.events) + opens(accounts.firstUses)
    }

    /// The whole export of a journal's events, line by line.
    public func document(_ events: [Event]) -> [String] {
        var targets: [EventID: Event] = [:]
        var rendered: [(Event, [Posting])] = []
        var accounts = AccountsSeen()
        var unit: UnitOpening?
        func take(_ e: Event) {
            var target: Event?
            switch e.body {
            case .unit(let u): unit = u
            case .appropriation, .disbursement: targets[e.id] = e
            case .adjustment(let a):
                switch a.kind {
                case .budget: break
                case .reversal(let t, _), .reclassification(let t, _, _): target = targets[t]
                }
            case .yearOpen, .close, .carryForward, .reopen, .fact, .access: break
            }
            let ps = Export.postings(e, target: target)
            accounts.note(ps, on: e.date)
            rendered.append((e, ps))
        }
        // Only what counts is exported: an item waiting for approval goes when its approval comes.
        var gate = ApprovalGate()
        for event in events {
            for (e, _) in gate.pass(event, target: nil) { take(e) }
        }
        var out = header(unit: unit, events: events.count)
        out += opens(accounts.firstUses)
        for (e, ps) in rendered { out += render(e, postings: ps) }
        return out
    }

    /// The accounts postings use, each with the date of its first posting, in order of first use
    /// (what Beancount's `open`s need).
    struct AccountsSeen {
        private var firstUse: [String: CivilDate] = [:]
        private var order: [String] = []

        mutating func note(_ postings: [Posting], on date: CivilDate) {
            for p in postings where firstUse[p.account] == nil {
                firstUse[p.account] = date
                order.append(p.account)
            }
        }

        var firstUses: [(account: String, date: CivilDate)] { order.map { ($0, firstUse[$0]!) } }
    }
}
