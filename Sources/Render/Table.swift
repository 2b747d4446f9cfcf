import Foundation

/// Text tables that line up in a terminal with Chinese in them: widths are display columns
/// (a CJK character takes two), not characters.
public enum Align: Sendable { case left, right }

public struct TextTable: Sendable {
    public var headers: [String]
    public var align: [Align]
    public var rows: [[String]] = []

    public init(_ headers: [String], align: [Align]? = nil) {
        self.headers = headers
        self.align = align ?? headers.map { _ in .left }
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func render() -> String {
        var widths = headers.map(displayWidth)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], displayWidth(c)) } }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, c) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - displayWidth(c))
                let last = i == cells.count - 1
                parts.append(align[i] == .right ? pad + c : (last ? c : c + pad))
            }
            return parts.joined(separator: "  ")
        }
        var out = line(headers) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for r in rows { out += line(r) + "\n" }
        return out
    }
}

/// Columns a string takes in a terminal: East Asian wide and full-width characters take two,
/// combining marks none.
public func displayWidth(_ s: String) -> Int {
    var w = 0
    for u in s.unicodeScalars {
        let v = u.value
        switch v {
        case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F: continue
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            w += 2
        default:
            w += 1
        }
    }
    return w
}
