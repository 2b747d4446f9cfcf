import Testing
@testable import Ledger

typealias SeededRandom = SplitMix64

func randomEvent(_ r: inout SeededRandom, seq: Int) -> Event {
    let texts = ["", "办公费", "a \"quoted\" memo", "back\\slash", "tab\there", "line\nbreak", "控制\u{01}字符", "emoji 🧾", "泸财预〔2023〕1号"]
    func cls() -> Classification {
        let project = r.below(2) == 0
        return Classification(fund: r.pick([FundCode(rawValue: "gpb")!, FundCode(rawValue: "gfb")!]),
                              item: FunctionCode(rawValue: r.pick(["2010350", "2010399", "2210201"]))!,
                              econ: r.below(3) == 0 ? nil : EconomicCode(rawValue: r.pick(["30101", "30217", "31013"]))!,
                              nature: project ? .project : .basic,
                              project: project ? ProjectCode(rawValue: "51050022T000000381226")! : nil)
    }
    let amount = Fen(Int64(r.below(1_000_000_000)) + 1)
    let body: EventBody
    func line() -> BudgetLine { let c = cls(); return c.line(year: 2023) }
    switch r.below(12) {
    case 0: body = .unit(UnitOpening(unitCode: "505001", unitName: r.pick(texts), year: 2023))
    case 1: body = .yearOpen(YearOpening(year: 2024))
    case 2: body = .appropriation(Appropriation(classification: cls(), amount: amount, document: r.pick(texts)))
    case 3: body = .disbursement(Disbursement(classification: cls(), amount: amount, payee: r.pick(texts), voucher: "记-01-\(seq)",
                                              override: r.below(2) == 0 ? nil : "超预算，经批准"))
    case 4: body = .adjustment(Adjustment(kind: .budget(cls(), amount: -amount, document: "调整"), override: nil))
    case 5: body = .adjustment(Adjustment(kind: .reversal(target: EventID(rawValue: "D-\(seq)")!, amount: amount), override: nil))
    case 6: body = .adjustment(Adjustment(kind: .reclassification(target: EventID(rawValue: "D-\(seq)")!, amount: amount, to: cls()), override: "x"))
    case 7: body = .adjustment(Adjustment(kind: .reversal(target: EventID(rawValue: "D-\(seq)")!, amount: amount), priorYear: 2022, override: nil))
    case 8:
        let lines = (0..<r.below(4)).map { _ in
            ClosedLine(line: line(), budget: amount, actual: Fen(amount.raw / 2), disposition: r.pick([.carry, .lapse, Disposition.none]))
        }
        body = .close(YearClose(year: 2023, events: seq - 1, head: SHA256.hash(Array("h\(seq)".utf8)), lines: lines,
                                override: r.below(3) == 0 ? "2024年已支出" : nil))
    case 9: body = .carryForward(CarryForward(close: EventID(rawValue: "2022-CLOSE")!, line: line(), amount: amount))
    case 10:
        let p = ProjectCode(rawValue: "51050022T000000381226")!
        let facts: [Fact] = [
            .sanGongActivity(SanGongActivity(year: 2023, category: .reception, scope: .domestic, batches: r.below(5), people: r.below(50),
                                             target: r.below(2) == 0 ? nil : EventID(rawValue: "D-\(seq)")!)),
            .sanGongActivity(SanGongActivity(year: 2023, category: .abroad, scope: nil, batches: 1, people: 3, target: nil)),
            .vehicle(VehicleChange(action: .acquire, vehicle: "川E·\(seq)", category: .other, official: r.below(2) == 0)),
            .procurement(Procurement(year: 2023, target: EventID(rawValue: "D-\(seq)")!, category: .services, amount: amount, award: .micro)),
            .asset(AssetChange(action: .dispose, asset: "A-\(seq)", assetClass: .general, unitPrice: amount, quantity: 2)),
            .performanceTarget(PerformanceTarget(year: 2023, project: p, indicator: "\(seq)", level: .benefit, category: "社会效益指标",
                                                 name: r.pick(texts.filter { !$0.isEmpty }), comparator: .qualitative, value: "优", unit: "", weight: Quantity("2.5")!)),
            .performanceResult(PerformanceResult(year: 2023, project: p, indicator: "budget", value: "", reason: nil, score: Quantity("9.8"), scoreReason: "x")),
            .performanceResult(PerformanceResult(year: 2023, project: p, indicator: "1", value: "97.1", reason: r.pick(texts), score: nil, scoreReason: nil)),
            .performanceStage(PerformanceStage(year: 2023, project: p, stage: .exAnte)),
            .text(Narrative(year: 2023, key: "use.item.2010350", text: r.pick(texts))),
        ]
        body = .fact(r.pick(facts))
    default: body = .reopen(YearReopen(year: 2022, reason: r.pick(texts.filter { !$0.isEmpty })))
    }
    return Event(seq: seq, id: EventID(rawValue: "E-\(seq)")!, date: CivilDate(year: 2023, month: 1 + r.below(12), day: 1 + r.below(28))!,
                 recorded: Timestamp(posixSeconds: 1_700_000_000 + r.below(10_000_000)), actor: r.pick(["王会计", "li"]),
                 memo: r.pick(texts), body: body)
}

@Suite struct CodecTests {
    /// encode → decode → encode is byte-identical, and both decoders agree.
    @Test func roundTripIsByteIdentical() throws {
        let seed: UInt64 = 42
        var r = SeededRandom(seed: seed)
        for seq in 1...2_000 {
            let e = randomEvent(&r, seq: seq)
            let prev = SHA256.hash(Array("\(seq)".utf8))
            let line = EventCodec.encode(e, prev: prev)
            let general = try line.withUnsafeBytes { try EventCodec.decode($0) }
            let strict = line.withUnsafeBytes { StrictDecoder.decode($0) }
            #expect(general.event == e, "seed \(seed) seq \(seq)")
            #expect(general.prev == prev)
            #expect(strict?.event == e, "strict decoder, seed \(seed) seq \(seq): \(String(decoding: line, as: UTF8.self))")
            #expect(EventCodec.encode(general.event, prev: general.prev) == line)
        }
    }

    /// Lines a hand could produce that mean the same but are not canonical: the strict decoder
    /// refuses each, so replay reports them.
    @Test(arguments: [
        #"{"seq":1, "id":"A1","type":"year_open","date":"2023-01-01","recorded":"2024-01-05T08:30:00Z","actor":"x","year":2023,"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#,
        #"{"id":"A1","seq":1,"type":"year_open","date":"2023-01-01","recorded":"2024-01-05T08:30:00Z","actor":"x","year":2023,"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#,
        #"{"seq":01,"id":"A1","type":"year_open","date":"2023-01-01","recorded":"2024-01-05T08:30:00Z","actor":"x","year":2023,"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#,
        #"{"seq":1,"id":"A1","type":"year_open","date":"2023-01-01","recorded":"2024-01-05T08:30:00Z","actor":"\u0078","year":2023,"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#,
        #"{"seq":1,"id":"A1","type":"year_open","date":"2023-01-01","recorded":"2024-01-05T08:30:00Z","actor":"x","year":2023,"memo":"","prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#,
        #"{"seq":1,"id":"A1","type":"year_open","date":"2023-01-01","recorded":"2024-01-05T08:30:00Z","actor":"x","year":2023,"prev":"000000000000000000000000000000000000000000000000000000000000000A"}"#,
    ])
    func strictDecoderRefusesNonCanonical(line: String) {
        let bytes = Array(line.utf8)
        #expect(bytes.withUnsafeBytes { StrictDecoder.decode($0) } == nil)
    }

    @Test func generalDecoderNamesTheField() {
        let line = #"{"seq":1,"id":"A1","type":"appropriation","date":"2023-13-01","recorded":"2024-01-05T08:30:00Z","actor":"x","prev":"0"}"#
        #expect(throws: LineDecodeError(field: "date", message: "'2023-13-01' is not a date YYYY-MM-DD")) {
            try Array(line.utf8).withUnsafeBytes { try EventCodec.decode($0) }
        }
    }

    @Test func flatJSONRejectsNesting() {
        #expect(throws: FlatJSONError.self) { try FlatJSON.parse(#"{"a":{"b":1}}"#) }
        #expect(throws: FlatJSONError.self) { try FlatJSON.parse(#"{"a":1,"a":2}"#) }
        #expect(throws: FlatJSONError.self) { try FlatJSON.parse(#"{"a":1.5e3}"#) }
    }
}
