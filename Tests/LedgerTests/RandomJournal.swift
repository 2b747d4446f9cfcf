import Foundation
@testable import Ledger

/// Seeded random drafts that the validator accepts: appropriations on and after 1 January,
/// budget adjustments both ways, disbursements, and reversals and reclassifications (some
/// back-dated, some of a closed earlier year: prior-year adjustments) of earlier events.
struct RandomPoster {
    var rng: SeededRandom
    var serial = 0
    /// What a correction may still take from each correctable event.
    var targets: [(id: String, year: Int, date: String, left: Int64, fields: [String: String])] = []
    var closedYears: Set<Int> = []

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    mutating func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
    mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

    static let items = ["2010350", "2010399", "2080505", "2101102", "2210201"]
    static let econs = ["30101", "30102", "30201", "30217", "30231", "30299", "31002"]
    static let projects = ["51050022T000000381226", "51050023T000008267900"]
    static let funds = ["gpb", "gpb", "gpb", "gfb"]
    static let actors = ["王会计", "李出纳", "张审核"]

    mutating func classification() -> [String: String] {
        var f = ["fund": pick(Self.funds), "item": pick(Self.items), "nature": "basic"]
        if chance(30) { f["nature"] = "project"; f["project"] = pick(Self.projects); f["item"] = "2010399" }
        return f
    }

    mutating func date(_ year: Int, after: String? = nil) -> String {
        if let a = after, a.hasPrefix("\(year)"), chance(50) { return a }   // same day as its target
        let m = Int(rng.next() % 12) + 1, day = Int(rng.next() % 28) + 1
        let s = String(format: "%04d-%02d-%02d", year, m, day)
        if let a = after, s < a { return a }
        return s
    }

    /// `n` drafts dated in `years` (all open and not closed when they are posted).
    mutating func drafts(_ n: Int, years: [Int]) -> [Draft] {
        var out: [Draft] = []
        for _ in 0..<n {
            serial += 1
            let k = serial
            let year = pick(years)
            let id = "E\(k)"
            let actor = pick(Self.actors)
            let roll = rng.next() % 100
            let open = targets.indices.filter { targets[$0].left > 0 && (targets[$0].year == year || (closedYears.contains(targets[$0].year) && targets[$0].fields["type"] == "disbursement" && targets[$0].year < year)) }
            if roll < 20 || open.isEmpty {
                var f = classification()
                if chance(20) { f["econ"] = pick(Self.econs) }
                let amount = Int64(rng.next() % 5_000_000) + 100
                f.merge(["type": "appropriation", "id": id, "actor": actor, "amount": Fen(amount).yuan, "doc": "财预\(k)号",
                         "date": chance(70) ? "\(year)-01-01" : date(year)]) { $1 }
                out.append(Draft(fields: f))
                targets.append((id, year, f["date"]!, amount, f))
            } else if roll < 30 {
                var f = classification()
                let amount = Int64(rng.next() % 400_000) + 1
                f.merge(["type": "adjustment", "kind": "budget", "id": id, "actor": actor, "date": date(year), "doc": "调\(k)",
                         "amount": (chance(30) ? "-" : "") + Fen(amount).yuan, "override": "测试"]) { $1 }
                out.append(Draft(fields: f))
            } else if roll < 85 {
                var f = classification()
                f["econ"] = pick(Self.econs)
                let amount = Int64(rng.next() % 300_000) + 1
                f.merge(["type": "disbursement", "id": id, "actor": actor, "date": date(year), "amount": Fen(amount).yuan,
                         "payee": "收款人\(k % 17)", "voucher": "记-\(k)", "override": "测试", "memo": chance(10) ? "含\"引号\"与\\斜杠" : ""]) { $1 }
                out.append(Draft(fields: f))
                targets.append((id, year, f["date"]!, amount, f))
            } else {
                let t = pick(open)
                let amount = Int64(rng.next() % UInt64(targets[t].left)) + 1
                targets[t].left -= amount
                var f = ["type": "adjustment", "id": id, "actor": actor, "target": targets[t].id, "amount": Fen(amount).yuan,
                         "date": date(year, after: targets[t].date), "override": "测试"]
                if chance(50) {
                    f["kind"] = "reversal"
                } else {
                    f["kind"] = "reclassification"
                    let keys = ["fund", "item", "econ", "nature", "project"]
                    var to = classification()
                    to["econ"] = pick(Self.econs)
                    while keys.allSatisfy({ to[$0] == targets[t].fields[$0] }) { to["econ"] = pick(Self.econs) }
                    f.merge(to) { $1 }
                }
                out.append(Draft(fields: f))
            }
        }
        return out
    }
}

/// A seeded random journal of two open fiscal years (2023 and 2024), posted through the validator.
func randomJournal(seed: UInt64, events n: Int, dir: String = tempDir()) throws -> JournalStore {
    let store = JournalStore(path: dir + "/r.jsonl", catalogue: catalogue, clock: testClock)
    _ = try store.initialise(d(["unit": "505001", "name": "测试单位", "date": "2023-01-01", "actor": "王会计", "id": "U"])).get()
    guard case .committed = try store.post([d(["type": "year_open", "year": "2024", "actor": "王会计", "id": "Y2024"])]) else { fatalError() }
    var poster = RandomPoster(seed: seed)
    try mustPost(store, poster.drafts(n, years: [2023, 2023, 2023, 2024, 2024]))
    return store
}

func mustPost(_ store: JournalStore, _ drafts: [Draft]) throws {
    let r = try store.post(drafts)
    guard case .committed = r else { fatalError("random drafts rejected: \(r.rejections.prefix(3))") }
}

/// Before a close: a budget adjustment for every line of `year` spent beyond its budget (the
/// random drafts override the budget check), as an accountant would post 追加预算.
func coverOverspending(_ store: JournalStore, year: Int) throws {
    var lines: [BudgetLine: Figures] = [:]
    for l in try store.project().lines(year: year) { lines[l.classification.line(year: year), default: Figures()].add(l.figures) }
    var drafts: [Draft] = []
    for (line, f) in lines.sorted(by: { $0.key < $1.key }) where f.available < .zero {
        var fields = ["type": "adjustment", "kind": "budget", "date": "\(year)-12-31", "fund": line.fund.rawValue, "item": line.item.rawValue,
                      "nature": line.nature.wire, "amount": Fen(-f.available.raw).yuan, "doc": "年终追加", "actor": "王会计"]
        fields["project"] = line.project?.rawValue
        drafts.append(Draft(fields: fields))
    }
    if !drafts.isEmpty { try mustPost(store, drafts) }
}
