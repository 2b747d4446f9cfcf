import Testing
@testable import Ledger

@Suite struct FenTests {
    @Test(arguments: [
        ("4674200.00", 467_420_000), ("4674200", 467_420_000), ("0.01", 1), ("1200.5", 120_050),
        ("467.42万", 467_420_000), ("467.42万元", 467_420_000), ("0.000001万", 1), ("1200元", 120_000),
        ("-5000", -500_000), (" 19.80 ", 1_980),
    ] as [(String, Int64)])
    func parses(text: String, fen: Int64) {
        #expect(Fen.parse(text) == .success(Fen(fen)))
    }

    @Test(arguments: [
        ("1.234", Fen.ParseError.tooManyDecimals), ("1.0000001万", .tooManyDecimals), ("abc", .malformed), ("", .malformed),
        ("1,200.00", .malformed), ("1.", .malformed), (".5", .malformed), ("1e5", .malformed),
        ("10000000000000.01", .overflow), ("99999999999999999999999", .overflow),
    ])
    func refuses(text: String, error: Fen.ParseError) {
        #expect(Fen.parse(text) == .failure(error))
    }

    @Test func formats() {
        #expect(Fen(467_420_000).yuan == "4674200.00")
        #expect(Fen(467_420_000).yuanGrouped == "4,674,200.00")
        #expect(Fen(-5).yuan == "-0.05")
        // 万元, half up per cell: 19.50 of 19.80 …
        #expect(Fen(1_950_000).wan == "1.95")
        #expect(Fen(467_425_000).wan == "467.43")   // exactly half: up
        #expect(Fen(467_424_999).wan == "467.42")
        #expect(Fen(-467_425_000).wan == "-467.43")
        #expect(Fen(4_999).wan == "0.00")
    }
}
