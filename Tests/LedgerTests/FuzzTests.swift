import Foundation
import Testing
@testable import Ledger

/// Thousands of seeded cases per parser in `swift test`; `fledger-bench fuzz` runs millions.
/// A failure prints its input; the seed reproduces it.
@Suite struct FuzzTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func lineDecodersAgree(_ seed: UInt64) {
        let r = Fuzz.decoders(seed: seed, cases: 3_000)
        #expect(r.failures.isEmpty, "seed \(seed): \(r.failures.prefix(3))")
        #expect(r.cases == 3_000)
    }

    @Test func importParsers() {
        let r = Fuzz.imports(seed: 7, cases: 2_000)
        #expect(r.failures.isEmpty, "\(r.failures.prefix(3))")
    }

    @Test func amountsAndDates() {
        let r = Fuzz.amountsAndDates(seed: 11, cases: 20_000)
        #expect(r.failures.isEmpty, "\(r.failures.prefix(3))")
    }

    /// Random drafts through the whole ladder against a journal: a named rejection or an event,
    /// and nothing appended by a refusal.
    @Test func draftsThroughTheLadder() throws {
        let store = try seededStore()
        var rng = SplitMix64(seed: 99)
        let keys = ["type", "id", "date", "fund", "item", "econ", "nature", "project", "amount", "payee", "voucher", "kind", "target", "actor", "year", "key", "text"]
        let values = ["disbursement", "adjustment", "text", "reversal", "budget", "A1", "2023-02-01", "2023-02-30", "gpb", "2010350", "30101", "basic",
                      "project", "51050023T000008267900", "1.00", "-5", "1e3", "abc", "王会计", "2023", "reason.total", "", "\n", "99999999999999999"]
        var appended = 0
        for _ in 0..<500 {
            var f: [String: String] = [:]
            for _ in 0..<(1 + rng.below(10)) { f[keys[rng.below(keys.count)]] = values[rng.below(values.count)] }
            let r = try store.post([Draft(fields: f)])
            appended += r.appended.count
            for rej in r.rejections { #expect(RejectionCode.allCases.contains(rej.code) && !rej.message.isEmpty) }
        }
        #expect(try store.events().count == 3 + appended)
        #expect(damagedLine(store) == nil)
    }
}
