import Foundation
import Reconcile

/// A chart's geometry, computed from the document's figures before any SVG is written (so it
/// can be tested as data): bars with their heights and value labels, or donut slices with their
/// angles and a legend. Labels never overlap: bar values sit above their own bars, group labels
/// are wrapped to their group's width, and slices are labelled in a legend, one row each.
struct ChartLayout {
    struct Bar { var figure: String; var value: Int64; var x, y, width, height: Double; var label: String; var series: Int }
    struct GroupLabel { var lines: [String]; var x, y: Double; var note: String? }
    struct Slice { var figure: String; var value: Int64; var start, end: Double; var label: String; var share: String; var amount: String }

    let chart: Chart
    let width: Double
    let height: Double
    var bars: [Bar] = []
    var groupLabels: [GroupLabel] = []
    var slices: [Slice] = []
    /// Bars: the largest value and the plot's height (a bar is value ÷ max × plotHeight tall).
    var maxValue: Int64 = 0
    var plotTop = 0.0, plotBottom = 0.0
    var plotHeight: Double { plotBottom - plotTop }
    /// Donut centre and radii.
    var cx = 0.0, cy = 0.0, outer = 0.0, inner = 0.0
    var isEmpty = false

    static let palette = ["#2f6fb0", "#e07b39", "#3a9d5d", "#c94c4c", "#8a63b8", "#b8a03a", "#4bb0b0", "#7a7a7a"]

    init(_ chart: Chart, document d: Document) {
        self.chart = chart
        let values = chart.groups.map { $0.values.map { max(0, d.figure($0)?.value ?? 0) } }
        isEmpty = values.allSatisfy { $0.allSatisfy { $0 == 0 } }
        switch chart.kind {
        case .bars:
            width = 640; height = 320
            guard !isEmpty else { return }
            let left = 20.0, right = width - 20
            plotTop = 40; plotBottom = height - 80
            maxValue = values.flatMap { $0 }.max() ?? 0
            let groupWidth = (right - left) / Double(chart.groups.count)
            let n = Double(chart.series.count)
            let barWidth = min(70, groupWidth * 0.7 / n)
            for (g, group) in chart.groups.enumerated() {
                let gx = left + groupWidth * Double(g)
                let start = gx + (groupWidth - barWidth * n) / 2
                for (s, id) in group.values.enumerated() {
                    let v = values[g][s]
                    let h = maxValue == 0 ? 0 : Double(v) / Double(maxValue) * plotHeight
                    bars.append(Bar(figure: id, value: v, x: start + barWidth * Double(s), y: plotBottom - h, width: barWidth, height: h,
                                    label: d.figure(id)?.printed ?? "", series: s))
                }
                // Wrap the group's label to its width (a CJK character is about 13 px at 13 px type).
                let perLine = max(2, Int(groupWidth / 13.5))
                groupLabels.append(GroupLabel(lines: ChartLayout.wrap(group.label, perLine, maxLines: 3), x: gx + groupWidth / 2, y: plotBottom + 18,
                                              note: group.note.flatMap { d.figure($0) }.map { $0.value == nil ? "—" : $0.printed + "%" }))
            }
        case .donut:
            width = 640; height = max(280, 70 + Double(chart.groups.count) * 26)
            cx = 140; cy = 140; outer = 110; inner = 62
            let total = values.reduce(0) { $0 + ($1.first ?? 0) }
            var angle = 0.0
            for (g, group) in chart.groups.enumerated() {
                let v = values[g].first ?? 0
                let sweep = total == 0 ? 0 : Double(v) / Double(total) * 360
                let share = group.note.flatMap { d.figure($0) }.map { $0.value == nil ? "—" : $0.printed + "%" } ?? ""
                slices.append(Slice(figure: group.values[0], value: v, start: angle, end: angle + sweep, label: group.label, share: share,
                                    amount: d.figure(group.values[0])?.printed ?? ""))
                angle += sweep
            }
        }
    }

    /// Text in lines of at most `n` characters, the last cut with an ellipsis.
    static func wrap(_ s: String, _ n: Int, maxLines: Int) -> [String] {
        var lines: [String] = []
        var rest = Substring(s)
        while !rest.isEmpty && lines.count < maxLines {
            lines.append(String(rest.prefix(n)))
            rest = rest.dropFirst(n)
        }
        if !rest.isEmpty, var last = lines.popLast() { last = String(last.dropLast()) + "…"; lines.append(last) }
        return lines
    }

    /// The numbers the chart shows, said in words (its <desc>).
    func description(_ d: Document) -> String {
        chart.groups.map { g in
            g.label + "：" + zip(chart.series, g.values).map { s, id in (s.isEmpty ? "" : s + " ") + (d.figure(id)?.printed ?? "") + "万元" }.joined(separator: "，")
                + (g.note.flatMap { d.figure($0) }.map { "（" + ($0.value == nil ? "不适用" : $0.printed + "%") + "）" } ?? "")
        }.joined(separator: "；")
    }

    static func f(_ x: Double) -> String { String(format: "%.2f", x) }

    /// A point on the circle at `deg` degrees clockwise from 12 o'clock.
    func point(_ r: Double, _ deg: Double) -> (Double, Double) {
        let a = (deg - 90) * Double.pi / 180
        return (cx + r * cos(a), cy + r * sin(a))
    }

    /// A ring segment between two angles.
    func ringPath(_ start: Double, _ end: Double) -> String {
        if end - start >= 359.999 {   // a whole ring: two halves
            return ringPath(start, start + 180) + " " + ringPath(start + 180, end)
        }
        let large = end - start > 180 ? 1 : 0
        let (x1, y1) = point(outer, start), (x2, y2) = point(outer, end)
        let (x3, y3) = point(inner, end), (x4, y4) = point(inner, start)
        let f = ChartLayout.f
        return "M\(f(x1)) \(f(y1)) A\(f(outer)) \(f(outer)) 0 \(large) 1 \(f(x2)) \(f(y2)) L\(f(x3)) \(f(y3)) A\(f(inner)) \(f(inner)) 0 \(large) 0 \(f(x4)) \(f(y4)) Z"
    }

    /// The SVG, last.
    func svg(_ d: Document, id: String) -> String {
        let f = ChartLayout.f
        let title = "\(chart.id)：\(chart.title)"
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"\(id)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\""
        out += " data-kind=\"\(chart.kind.rawValue)\" data-max=\"\(maxValue)\" data-plot-height=\"\(f(plotHeight))\" data-outer=\"\(f(outer))\" data-inner=\"\(f(inner))\">"
        out += "<title id=\"\(id)-title\">\(HTML.escape(title))</title><desc id=\"\(id)-desc\">\(HTML.escape(description(d)))</desc>"
        switch chart.kind {
        case .bars:
            out += "<line x1=\"20\" y1=\"\(f(plotBottom))\" x2=\"\(f(width - 20))\" y2=\"\(f(plotBottom))\" class=\"axis\"/>"
            for b in bars {
                let color = ChartLayout.palette[b.series % ChartLayout.palette.count]
                out += "<rect class=\"bar\" data-fig=\"\(b.figure)\" data-value=\"\(b.value)\" x=\"\(f(b.x))\" y=\"\(f(b.y))\" width=\"\(f(b.width))\" height=\"\(f(b.height))\" fill=\"\(color)\"/>"
                out += "<text class=\"value\" data-fig=\"\(b.figure)\" x=\"\(f(b.x + b.width / 2))\" y=\"\(f(b.y - 6))\" text-anchor=\"middle\">\(HTML.escape(b.label))</text>"
            }
            for g in groupLabels {
                for (k, line) in g.lines.enumerated() {
                    out += "<text class=\"group\" x=\"\(f(g.x))\" y=\"\(f(g.y + Double(k) * 15))\" text-anchor=\"middle\">\(HTML.escape(line))</text>"
                }
                if let note = g.note {
                    out += "<text class=\"note\" x=\"\(f(g.x))\" y=\"\(f(g.y + Double(g.lines.count) * 15 + 2))\" text-anchor=\"middle\">\(HTML.escape(note))</text>"
                }
            }
            if chart.series.count > 1 {
                for (s, name) in chart.series.enumerated() {
                    let x = width - 20 - Double(chart.series.count - s) * 130
                    out += "<rect x=\"\(f(x))\" y=\"8\" width=\"12\" height=\"12\" fill=\"\(ChartLayout.palette[s % ChartLayout.palette.count])\"/>"
                    out += "<text class=\"legend\" x=\"\(f(x + 16))\" y=\"18\">\(HTML.escape(name))</text>"
                }
            }
            out += "<text class=\"unit\" x=\"20\" y=\"18\">金额单位：万元</text>"
        case .donut:
            for (k, s) in slices.enumerated() where s.end > s.start {
                out += "<path class=\"slice\" data-fig=\"\(s.figure)\" data-value=\"\(s.value)\" data-start=\"\(f(s.start))\" data-end=\"\(f(s.end))\" d=\"\(ringPath(s.start, s.end))\" fill=\"\(ChartLayout.palette[k % ChartLayout.palette.count])\"/>"
            }
            for (k, s) in slices.enumerated() {
                let y = 40 + Double(k) * 26
                out += "<rect x=\"290\" y=\"\(f(y - 11))\" width=\"12\" height=\"12\" fill=\"\(ChartLayout.palette[k % ChartLayout.palette.count])\"/>"
                out += "<text class=\"legend\" x=\"308\" y=\"\(f(y))\">\(HTML.escape(ChartLayout.wrap(s.label, 14, maxLines: 1)[0])) "
                out += "<tspan class=\"value\" data-fig=\"\(s.figure)\">\(HTML.escape(s.amount))</tspan>万元 <tspan class=\"share\">\(HTML.escape(s.share))</tspan></text>"
            }
            out += "<text class=\"unit\" x=\"290\" y=\"\(f(40 + Double(slices.count) * 26 + 6))\">金额单位：万元</text>"
        }
        return out + "</svg>"
    }
}
