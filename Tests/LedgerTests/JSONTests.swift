import Foundation
import Testing
@testable import Ledger

@Suite struct JSONTests {
    @Test func escapesEveryStringTheSameWay() {
        let nasty = "a\"b\\c\nd\re\tf\u{01}g\u{1f}<script>中文"
        #expect(JSON.string(nasty).encoded == #""a\"b\\c\nd\re\tf\u0001g\u001f<script>中文""#)
        // Keys are escaped like values.
        #expect(JSON.object([nasty: .null]).encoded == #"{"a\"b\\c\nd\re\tf\u0001g\u001f<script>中文":null}"#)
        // Foundation reads back what was written.
        let back = try? JSONSerialization.jsonObject(with: Data(JSON.array([.string(nasty)]).encoded.utf8)) as? [String]
        #expect(back == [nasty])
    }

    @Test func numbersAreExactWithoutFloatingPoint() {
        #expect(JSON.int(Int64.min).encoded == "-9223372036854775808")
        #expect(JSON.int(0).encoded == "0")
        #expect(JSON.percent(Percent(hundredths: 9848)).encoded == "98.48")
        #expect(JSON.percent(Percent(hundredths: -5)).encoded == "-0.05")
        #expect(JSON.percent(Percent(hundredths: 10_000)).encoded == "100.00")
        #expect(JSON.decimal(7, places: 3).encoded == "0.007")
        #expect(JSON.decimal(-1234, places: 0).encoded == "-1234")
        #expect(JSON.percent(nil).encoded == "null")
        #expect(JSON.fen(Fen(-120_050)).encoded == "-120050")
        // Each Percent prints as its description does.
        for h: Int64 in [0, 1, -1, 99, 100, 12_345, -98_765] {
            #expect(JSON.percent(Percent(hundredths: h)).encoded == Percent(hundredths: h).description)
        }
    }

    @Test func layoutsAndOrder() {
        let a: [JSON] = [.int(1), .object(["b": .bool(true), "a": .bool(false)])]
        #expect(JSON.array(a).encoded == #"[1,{"b":true,"a":false}]"#)
        #expect(JSON.array(a, .perElement).encoded == "[\n1,\n{\"b\":true,\"a\":false}\n]")
        #expect(JSON.array(a, .perElementClosedInline).encoded == "[\n1,\n{\"b\":true,\"a\":false}]")
        #expect(JSON.array([], .perElement).encoded == "[\n\n]")
        #expect(JSON.array([]).encoded == "[]")
        #expect(JSON.object([:]).encoded == "{}")
    }

    /// An event's JSON is its journal line without the link, byte for byte.
    @Test func eventIsItsLineWithoutTheLink() {
        // Every kind of event the shipped journal holds (facts, corrections, closes, texts).
        #expect(Seed.events.count > 600)
        for e in Seed.events { #expect(JSON.event(e).encoded == EventCodec.json(e)) }
    }
}
