/// Seeded fuzzers for the parsers input reaches: the journal line decoders (the strict and the
/// general must agree on every input), the CSV and JSON Lines import parsers, amounts, dates,
/// and requests through the validation ladder. Shared by `swift test` (thousands of cases) and
/// `fledger-bench fuzz` (millions). Each returns what disagreed; nothing may crash or hang.
public enum Fuzz {
    public struct Report: Sendable {
        public var cases = 0
        public var failures: [String] = []
        /// What the cases came to, for the harness's table (e.g. how many ended in each exit status).
        public var notes = ""
        public init() {}
    }

    /// A valid journal line to start from.
    static func seedLine(_ r: inout SplitMix64, seq: Int) -> [UInt8] {
        let kinds: [EventBody] = [
            .disbursement(Disbursement(classification: Classification(fund: FundCode(rawValue: "gpb")!, item: FunctionCode(rawValue: "2010350")!,
                                                                      econ: EconomicCode(rawValue: "30101")!, nature: .basic, project: nil),
                                       amount: Fen(Int64(1 + r.below(1_000_000))), payee: "某公司\"x\"", voucher: "记-01", override: r.below(2) == 0 ? nil : "超")),
            .adjustment(Adjustment(kind: .reversal(target: EventID(rawValue: "D-1")!, amount: Fen(100)), override: nil)),
            .fact(.text(Narrative(year: 2023, key: "reason.total", text: "压减\n经费"))),
            .yearOpen(YearOpening(year: 2024)),
            .access(.actor(.add("李出纳", roles: [.clerk, .approver], publicKey: [UInt8](repeating: UInt8(r.below(256)), count: 32)))),
            .access(.actor(.revoke("李出纳", reason: "调离"))),
            .access(.signature(BatchSignature(first: 1 + r.below(seq), signature: (0..<64).map { _ in UInt8(r.below(256)) }))),
            .access(.approval(target: EventID(rawValue: "R-1")!)),
            .access(.rejection(target: EventID(rawValue: "R-1")!, reason: "无依据")),
        ]
        let body = kinds[r.below(kinds.count)]
        let e = Event(seq: seq, id: EventID(rawValue: "E-\(seq)")!, date: CivilDate(year: 2023, month: 1 + r.below(12), day: 1 + r.below(28))!,
                      recorded: Timestamp(posixSeconds: 1_700_000_000), actor: "王会计", memo: r.below(2) == 0 ? "" : "备注", body: body,
                      needsApproval: AccessRules.needsApproval(body) && r.below(2) == 0)
        return EventCodec.encode(e, prev: .zero)
    }

    /// Flips, drops, duplicates or inserts bytes.
    static func mutate(_ b: [UInt8], _ r: inout SplitMix64) -> [UInt8] {
        var out = b
        for _ in 0..<(1 + r.below(4)) {
            guard !out.isEmpty else { out.append(UInt8(r.below(256))); continue }
            let i = r.below(out.count)
            switch r.below(6) {
            case 0: out[i] = UInt8(r.below(256))
            case 1: out.remove(at: i)
            case 2: out.insert(out[i], at: i)
            case 3: out.insert([0x22, 0x2c, 0x3a, 0x7b, 0x7d, 0x5c, 0x30, 0x2d, 0x2e][r.below(9)], at: i)
            case 4: out[i] = out[i] ^ (1 << UInt8(r.below(8)))
            default: out = Array(out.prefix(i))
            }
        }
        return out
    }

    /// The strict decoder accepts exactly the canonical lines the general decoder reads, with the same event.
    public static func decoders(seed: UInt64, cases: Int) -> Report {
        var r = SplitMix64(seed: seed)
        var rep = Report()
        for k in 0..<cases {
            let line = r.below(8) == 0 ? seedLine(&r, seq: 1 + k % 1000) : mutate(seedLine(&r, seq: 1 + k % 1000), &r)
            let verdict: String? = line.withUnsafeBytes { b in
                let strict = StrictDecoder.decode(b)
                let general = try? EventCodec.decode(b)
                let canonical = general.map { EventCodec.encode($0.event, prev: $0.prev).elementsEqual(line) } ?? false
                switch (strict, general) {
                case (nil, nil): return nil
                case (let s?, let g?): return s.event == g.event && s.prev == g.prev && canonical ? nil : "strict and general read different events"
                case (nil, _?): return canonical ? "the strict decoder refused a canonical line" : nil
                case (_?, nil): return "the strict decoder accepted a line the general one refuses"
                }
            }
            if let v = verdict { rep.failures.append("\(v): \(String(decoding: line, as: UTF8.self))") }
            rep.cases += 1
        }
        return rep
    }

    /// CSV and JSON Lines import: every row parsed or refused with its line, nothing lost between them.
    public static func imports(seed: UInt64, cases: Int) -> Report {
        var r = SplitMix64(seed: seed)
        var rep = Report()
        let csv = Array("type,id,date,fund,item,econ,nature,amount,payee,voucher\ndisbursement,D1,2023-02-01,gpb,2010350,30101,basic,\"1,000.00\",\"某\"\"公司\",v\n".utf8)
        let jsonl = Array("{\"type\":\"disbursement\",\"id\":\"D1\",\"amount\":\"1.00\",\"payee\":\"某\\\"公司\"}\n{\"type\":\"adjustment\",\"kind\":\"reversal\",\"target\":\"D1\"}\n".utf8)
        for _ in 0..<cases {
            for (format, base) in [(ImportFormat.csv, csv), (.jsonl, jsonl)] {
                let text = String(decoding: mutate(base, &r), as: UTF8.self)
                let (rows, errors) = ImportRows.parse(text, format: format)
                let lines = text.utf8.count { $0 == 0x0a } + 1   // bytes: "\r\n" is one Character, but a line end all the same
                if rows.contains(where: { $0.line < 1 || $0.line > lines }) || errors.contains(where: { $0.line < 1 || $0.line > lines }) {
                    rep.failures.append("\(format): a row or error outside the input's lines: \(text)")
                }
                for row in rows {
                    switch row.draft.request(catalogue: Catalogue()) {
                    case .success, .failure: break   // a typed request or a named rejection: both fine
                    }
                }
            }
            rep.cases += 1
        }
        return rep
    }

    /// Amounts and dates: parsed or refused, and what parses prints back to itself.
    public static func amountsAndDates(seed: UInt64, cases: Int) -> Report {
        var r = SplitMix64(seed: seed)
        var rep = Report()
        let alphabet = Array("0123456789.-+万元 ,e".utf8) + Array("万元".utf8)
        for _ in 0..<cases {
            let bytes = (0..<r.below(22)).map { _ in alphabet[r.below(alphabet.count)] }
            let s = String(decoding: bytes, as: UTF8.self)
            if case .success(let f) = Fen.parse(s) {
                if f.magnitude > Fen.maxEventAmount { rep.failures.append("amount '\(s)' parsed past the maximum: \(f.raw)") }
                if case .success(let again) = Fen.parse(f.yuan), again != f { rep.failures.append("amount '\(s)' does not print back: \(f.yuan)") }
            }
            let d = String(decoding: (0..<10).map { _ in Array("0123456789-".utf8)[r.below(11)] }, as: UTF8.self)
            if let date = CivilDate(d), date.description != d { rep.failures.append("date '\(d)' reads as \(date)") }
            rep.cases += 1
        }
        return rep
    }
}

extension Fuzz {
    /// A command and the options it takes, read from `fledger COMMAND --help` (so the fuzzer
    /// follows the real command line, not a copy of it).
    public struct CommandSurface: Sendable {
        public var words: [String]                  // ["post", "disbursement"]
        /// Each option and its value's placeholder in the help (`DATE`, `text|csv|json`); nil for a flag.
        public var options: [(name: String, value: String?)]
    }

    /// The options in a command's `--help`: lines `  --name VALUE  text` or `  --name  text`.
    public static func surface(words: [String], help: String) -> CommandSurface {
        var options: [(String, String?)] = []
        for line in help.split(separator: "\n") where line.hasPrefix("  --") {
            let parts = line.dropFirst(4).split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard let name = parts.first, name != "help" else { continue }
            options.append((String(name), parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : nil))
        }
        return CommandSurface(words: words, options: options)
    }

    /// The whole command line, read from `fledger --help` and each `fledger COMMAND --help`
    /// (`help(arguments)` runs fledger and returns its standard output). A command whose usage
    /// begins with alternatives (`post appropriation|disbursement|adjustment`) gives a surface
    /// for each of them, then one for itself.
    public static func surfaces(help: ([String]) throws -> String) rethrows -> [CommandSurface] {
        let main = try help(["--help"]).split(separator: "\n", omittingEmptySubsequences: false)
        let listed = main.firstIndex(of: "Commands:").map { main[($0 + 1)...].prefix { !$0.isEmpty } } ?? []
        let commands = listed.compactMap { $0.split(separator: " ").first.map(String.init) }
        var out: [CommandSurface] = []
        // `serve` runs until it is stopped: a generated command line that happens to be valid
        // would block the harness. WebTests and .ci/web-check drive it instead.
        for c in commands where c != "serve" {
            let text = try help([c, "--help"])
            let usage = text.split(separator: "\n").first { $0.hasPrefix("Usage: fledger ") }?.split(separator: " ") ?? []
            if usage.count > 3, usage[3].contains("|"), usage[3] == usage[3].lowercased() {
                for sub in usage[3].split(separator: "|") { out.append(surface(words: [c, String(sub)], help: text)) }
            }
            out.append(surface(words: [c], help: text))
        }
        return out
    }

    /// Values that are right, nearly right and wrong for the options of a journal's command line.
    /// No absolute paths: every file a case names lands in the harness's scratch directory.
    static let argumentValues = [
        "", "0", "-1", "1.00", "0.001", "467.42万", "1,000.00", "99999999999999999999", "9223372036854775807", "1e5", "NaN",
        "2023-03-01", "2023-02-30", "2023-13-01", "20230301", "2023", "2024", "0000", "gpb", "2010350", "2010399", "201", "30101",
        "302", "basic", "project", "budget", "reversal", "reclassification", "text", "csv", "json", "jsonl", "markdown", "html",
        "hledger", "ledger", "beancount", "item", "econ", "fund", "wan", "yuan", "1", "3", "14", "total", "某公司", "备注\t说明",
        "--help", "=", "-", "out.txt", "/dev/full", "no/such/dir/x", "j.jsonl", String(repeating: "长", count: 5_000), "\u{FEFF}gpb", "A1",
    ]

    /// Likely values for a placeholder: its own alternatives (`text|csv|json`), or by its kind.
    static func plausible(_ placeholder: String) -> [String] {
        if placeholder.contains("|"), placeholder == placeholder.lowercased() { return placeholder.split(separator: "|").map(String.init) }
        switch placeholder {
        case "DATE", "YYYY-MM-DD": return ["2023-01-01", "2023-03-01", "2023-12-31", "2024-01-10", "2022-06-30"]
        case "AMOUNT": return ["1.00", "100", "0.50", "467.42万", "100000.00"]
        case "Y", "YEAR", "YYYY": return ["2022", "2023", "2024"]
        case "CODE": return ["gpb", "2010350", "2010399", "30101", "30217", "total", "201"]
        case "N": return ["1", "2", "3", "8", "13"]
        case "ID", "ID|NAME": return ["A1", "total", "amount", "basic", "决算数"]
        case "KIND": return ["budget", "reversal", "reclassification"]
        case "VIEW": return ["item", "project", "econ", "fund", "nature", "sangong"]
        default: return ["x", "某公司", "out.txt"]
        }
    }

    /// One argument vector for `surface`, in one of three shapes: every option with a likely
    /// value (deep into validation), a few distinct options, or noise (an option twice, an
    /// unknown option, a missing value, a stray positional, `--name=value`).
    public static func argv(_ r: inout SplitMix64, _ surface: CommandSurface) -> [String] {
        var out = surface.words
        func value(_ placeholder: String, wild: Int) -> String {
            r.below(wild) == 0 ? r.pick(argumentValues) : r.pick(plausible(placeholder))
        }
        switch r.below(3) {
        case 0:
            for o in surface.options where o.name != "journal" && o.name != "catalogue" && r.below(6) != 0 {
                out.append("--\(o.name)")
                if let p = o.value { out.append(value(p, wild: 8)) }
            }
        case 1:
            var options = surface.options
            for i in options.indices.reversed() { options.swapAt(i, r.below(i + 1)) }
            for o in options.prefix(r.below(5)) {
                guard let p = o.value else { out.append("--\(o.name)"); continue }
                if r.below(4) == 0 { out.append("--\(o.name)=\(value(p, wild: 3))") } else { out += ["--\(o.name)", value(p, wild: 3)] }
            }
        default:
            for _ in 0..<r.below(10) {
                switch r.below(10) {
                case 0: out.append("--" + r.pick(["nosuch", "", "-", "id=", "amount=1=2"]))
                case 1: out.append(r.pick(argumentValues))
                default:
                    guard !surface.options.isEmpty else { continue }
                    let o = r.pick(surface.options)
                    guard let p = o.value else { out.append("--\(o.name)"); if r.below(10) == 0 { out.append("--\(o.name)=x") }; continue }
                    if r.below(4) == 0 { out.append("--\(o.name)=\(value(p, wild: 2))") }
                    else { out.append("--\(o.name)"); if r.below(12) != 0 { out.append(value(p, wild: 2)) } }
                }
            }
        }
        return out
    }
}
