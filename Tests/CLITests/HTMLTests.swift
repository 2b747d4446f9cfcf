import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The document page, checked as markup: it parses, its ids are unique, every chart states its
/// numbers, every bar and slice is as large as the figure it stands for, and every figure the
/// document states is on the page.
@Suite(.serialized) struct HTMLTests {
    final class Collector: NSObject, XMLParserDelegate {
        struct Element { var name: String; var attributes: [String: String]; var text = ""; var parents: [String] }
        var elements: [Element] = []
        var stack: [Int] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            elements.append(Element(name: name, attributes: attributes, parents: stack.map { elements[$0].name }))
            stack.append(elements.count - 1)
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { stack.removeLast() }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            for i in stack { elements[i].text += string }
        }
    }

    nonisolated(unsafe) static let page: (html: String, elements: [Collector.Element], figures: [[String: Any]], stated: [String]) = {
        let j = StatementCLITests.journal
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-html-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try! fledger(["report", "--year", "2023", "--format", "html", "--output", dir + "/p.html"], journal: j)
        precondition(r.status == 0, r.err)
        let html = try! String(contentsOfFile: dir + "/p.html", encoding: .utf8)
        let parser = XMLParser(data: Data(html.utf8))
        let c = Collector()
        parser.delegate = c
        let ok = parser.parse()
        precondition(ok, "the page is not well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
        let json = try! fledger(["report", "--year", "2023", "--format", "json"], journal: j)
        let object = try! JSONSerialization.jsonObject(with: Data(json.out.utf8)) as! [String: Any]
        var stated: [String] = []
        for part in object["parts"] as! [[String: Any]] {
            for item in part["items"] as! [[String: Any]] {
                stated += item["figures"] as? [String] ?? []
                for g in item["groups"] as? [[String: Any]] ?? [] { stated += g["values"] as! [String]; if let n = g["note"] as? String { stated.append(n) } }
            }
        }
        return (html, c.elements, object["figures"] as! [[String: Any]], stated)
    }()

    static func figure(_ id: String) -> [String: Any]? { page.figures.first { $0["id"] as? String == id } }

    @Test func wellFormedSelfContainedAndAccessible() {
        let p = Self.page
        #expect(p.html.hasPrefix("<!DOCTYPE html>"))
        #expect(p.elements.first { $0.name == "html" }?.attributes["lang"] == "zh-CN")
        let ids = p.elements.compactMap { $0.attributes["id"] }
        #expect(Set(ids).count == ids.count, "duplicate ids")
        #expect(!p.html.contains("<script") && !p.html.contains("http://") || !p.html.contains("src=\"http"))
        #expect(!p.html.contains("<link") && !p.html.contains("src="))
        #expect(p.html.contains("WenQuanYi Zen Hei") && p.html.contains("Noto Sans CJK SC") && p.html.contains("tabular-nums"))
        #expect(p.html.contains("@page") && p.html.contains("counter(page)") && p.html.contains("break-before: page"))
        let tables = p.elements.filter { $0.name == "table" }
        #expect(tables.count > 20)
        let captions = p.elements.filter { $0.name == "caption" }
        #expect(captions.count == tables.count)
        #expect(p.elements.filter { $0.name == "th" }.allSatisfy { $0.attributes["scope"] != nil })
        #expect(captions.filter { $0.text.hasPrefix("表") }.allSatisfy { $0.text.contains("金额单位：万元") })
        let svgs = p.elements.filter { $0.name == "svg" }
        #expect(svgs.count == 9)
        for s in svgs {
            let inside = p.elements.filter { $0.parents.contains("svg") }
            #expect(inside.contains { $0.name == "title" } && inside.contains { $0.name == "desc" })
            #expect(s.attributes["role"] == "img" && s.attributes["aria-labelledby"] != nil)
        }
        // Every <desc> states its chart's numbers: each value label's figure is in it.
        for d in p.elements where d.name == "desc" { #expect(d.text.contains("万元"), "\(d.text)") }
    }

    @Test func everyBarAndSliceIsAsLargeAsItsFigure() {
        let p = Self.page
        var bars = 0, slices = 0
        var svg: Collector.Element?
        for e in p.elements {
            if e.name == "svg" { svg = e }
            guard let fig = e.attributes["data-fig"], let s = svg, let f = Self.figure(fig) else { continue }
            let value = Double((f["value"] as? Int) ?? 0)
            if e.name == "rect", e.attributes["class"] == "bar" {
                let max = Double(s.attributes["data-max"]!)!, plot = Double(s.attributes["data-plot-height"]!)!
                let height = Double(e.attributes["height"]!)!
                #expect(abs(height - value / max * plot) < 1, "\(fig): bar \(height) px for \(value) of \(max)")
                #expect(Int(e.attributes["data-value"]!) == f["value"] as? Int)
                bars += 1
            }
            if e.name == "path", e.attributes["class"] == "slice" {
                let sweep = Double(e.attributes["data-end"]!)! - Double(e.attributes["data-start"]!)!
                let share = (Self.figure(fig + ".share")?["value"] as? Int).map { Double($0) / 10_000 } ?? 0
                let outer = Double(s.attributes["data-outer"]!)!
                // The slice's arc on the outer edge, against its share of the circle: within a pixel.
                #expect(abs(sweep / 360 - share) * 2 * Double.pi * outer < 1.5, "\(fig): \(sweep)° for a share of \(share)")
                slices += 1
            }
            if e.name == "text" || e.name == "tspan", e.attributes["class"] == "value" {
                #expect(e.text == f["printed"] as? String, "\(fig): the chart prints \(e.text), the document \(f["printed"] ?? "")")
            }
        }
        #expect(bars >= 12 && slices >= 8, "\(bars) bars, \(slices) slices")
    }

    /// Every figure the document states (its text, tables and charts) is on the page.
    @Test func everyFigureOfTheTextIsOnThePage() {
        let p = Self.page
        let onPage = Set(p.elements.compactMap { $0.attributes["data-fig"] })
        var missing: [String] = []
        for id in Set(p.stated) where !onPage.contains(id) {
            let f = Self.figure(id)!
            if !p.html.contains(f["printed"] as! String) { missing.append(id) }
        }
        #expect(missing.isEmpty, "\(missing.prefix(10))")
        // And the text output's figures appear in the HTML's text.
        let text = try! fledger(["report", "--year", "2023"], journal: StatementCLITests.journal).out
        for id in ["total.grand", "total.grand.change-rate", "gpb.item.2010399.completion", "project.51050023T000008267900.total.score"] {
            let printed = Self.figure(id)!["printed"] as! String
            #expect(text.contains(printed) && p.html.contains("data-fig=\"\(id)\">\(printed)"), "\(id)")
        }
    }

    /// A chart whose figures are all zero is a sentence, not an empty shape.
    @Test func anAllZeroChartIsASentence() throws {
        let j = try newJournal()
        let r = try fledger(["report", "--year", "2023", "--format", "html"], journal: j)
        #expect(r.status == 0)
        // No spending yet: the chart of 一般公共预算财政拨款支出 is a sentence; the income chart is drawn.
        #expect(r.out.contains("一般公共预算财政拨款支出决算变动情况：各年度数额均为0，不作图。"))
        #expect(r.out.contains("class=\"slice\""))
    }
}
