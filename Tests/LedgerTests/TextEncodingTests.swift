import Foundation
import Testing
@testable import Ledger

/// Import text is UTF-8 or, when asked, GB18030; anything else is refused at its line.
@Suite struct TextEncodingTests {
    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex { let j = s.index(i, offsetBy: 2); out.append(UInt8(s[i..<j], radix: 16)!); i = j }
        return out
    }

    /// Known pairs (GB18030-2005): two-byte, four-byte BMP and four-byte supplementary codes.
    @Test(arguments: [("某公司", "c4b3b9abcbbe"), ("泸州市政务服务", "e3f2d6ddcad0d5fecef1b7fecef1"), ("€", "a2e3"), ("·", "a1a4"),
                      ("㐀", "8139ee39"), ("𠀀", "95328236"), ("财政拨款收入100元", "b2c6d5feb2a6bfeecad5c8eb313030d4aa")])
    func knownPairs(_ pair: (String, String)) throws {
        #expect(try GB18030.decode(Self.hex(pair.1)).get() == pair.0)
    }

    @Test func invalidBytesAreRefusedAtTheirLine() throws {
        // A lone lead byte, a bad trail, a four-byte code past U+10FFFF.
        for bad in ["81", "8120", "e3", "fe39fe39"] {
            #expect((try? GB18030.decode(Self.hex("41" + bad)).get()) == nil, "\(bad)")
        }
        let gbk = Array("type,payee\nd,".utf8) + Self.hex("c4b3b9abcbbe") + Array("\n".utf8)
        guard case .failure(let e) = TextEncoding.utf8.decode(gbk) else { Issue.record("GBK read as UTF-8"); return }
        #expect(e.line == 2 && e.likely == .gb18030 && e.offset == 15)   // c4 b3 happens to be UTF-8 (ĳ): the garbling the issue saw
        #expect(try TextEncoding.gb18030.decode(gbk).get().contains("某公司"))
        // A byte-order mark and CRLF line ends are fine.
        #expect(try TextEncoding.utf8.decode([0xEF, 0xBB, 0xBF] + Array("a,b\r\n".utf8)).get() == "a,b\r\n")
        // Random bytes: either text or a refusal naming a line, never a crash.
        var r = SplitMix64(seed: 18030)
        for _ in 0..<2_000 {
            let b = (0..<r.below(40)).map { _ in UInt8(r.below(256)) }
            for enc in TextEncoding.allCases {
                if case .failure(let e) = enc.decode(b) { #expect(e.line >= 1 && e.offset <= b.count) }
            }
        }
    }
}
