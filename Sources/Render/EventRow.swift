import Ledger

/// An event's fields as text cells, as `log`, `show` and the web pages print them.
public struct EventRow: Sendable {
    public var kind = "", fund = "", item = "", econ = "", nature = "", project = "", target = ""
    public var doc = "", payee = "", voucher = "", override = ""

    public init(_ e: Event) {
        if let c = Trail.classifications(of: e).first {
            fund = c.fund.rawValue; item = c.item.rawValue; econ = c.econ?.rawValue ?? ""
            nature = c.nature.wire; project = c.project?.rawValue ?? ""
        }
        target = Trail.target(of: e)?.rawValue ?? ""
        switch e.body {
        case .unit(let u): doc = "\(u.unitCode) \(u.unitName)"
        case .yearOpen(let y): doc = "fiscal year \(y.year)"
        case .appropriation(let a): doc = a.document
        case .disbursement(let d): payee = d.payee; voucher = d.voucher; override = d.override ?? ""
        case .adjustment(let adj):
            override = adj.override ?? ""
            kind = adj.kind.wire.rawValue
            if case .budget(_, _, let d) = adj.kind { doc = d }
            if let y = adj.priorYear { doc = "以前年度调整 prior-year \(y)" }
        case .close(let c):
            doc = "close of \(c.year): \(c.lines.count) lines, budget \(c.budget.yuanGrouped), spent \(c.actual.yuanGrouped), carried \(c.carried.yuanGrouped), lapsed \(c.lapsed.yuanGrouped); head \(c.head.hex.prefix(12))… after \(c.events) events"
        case .carryForward(let c): kind = "carried"; doc = "年初结转和结余 from \(c.close)"
        case .reopen(let r): doc = "reopen \(r.year): \(r.reason)"
        case .fact(let f): doc = f.summary
        case .access(let a):
            switch a {
            case .actor(let c):
                kind = c.action.rawValue
                doc = c.action == .add ? "\(c.name): \(Role.list(c.roles)), key \(Hex.encode(c.publicKey).prefix(16))…" : "\(c.name): \(c.reason)"
            case .signature(let s): doc = "signs events \(s.first)–\(e.seq - 1)"
            case .approval(let t): target = t.rawValue; doc = "approved"
            case .rejection(let t, let reason): target = t.rawValue; doc = "rejected: \(reason)"
            }
        }
    }

    public func detail(_ e: Event) -> String {
        var parts: [String] = []
        if !target.isEmpty { parts.append("→ \(target)") }
        if !doc.isEmpty { parts.append(doc) }
        if !voucher.isEmpty { parts.append("\(voucher) \(payee)") }
        if !override.isEmpty { parts.append("OVERRIDE: \(override)") }
        if e.needsApproval { parts.append("needs a second person's approval") }
        if !e.memo.isEmpty { parts.append(e.memo) }
        return parts.joined(separator: "; ")
    }
}
