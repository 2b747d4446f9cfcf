import Ledger
import Reconcile

/// The thirteen tables as text (aligned for a terminal with Chinese in it) and as Markdown;
/// `statements` and `report` both print them this way.
public enum StatementRender {
    public static func header(_ s: Statements, unitName: String) -> String {
        "\(s.year)年度" + (s.provisional ? "（未结账，临时数）" : "") + "　金额单位：\(unitName)"
    }

    public static func markdown(_ s: Statements, _ tables: [Table], money: (Fen) -> String, unitName: String, level: String = "###") -> String {
        var out = ""
        for t in tables {
            out += "\(level) 表\(t.number) \(t.title)\n\n\(header(s, unitName: unitName))\n\n"
            for b in t.blocks {
                if t.blocks.count > 1 { out += "**\(b.name)**\n\n" }
                out += "| 编码 | 名称 | " + b.columns.map(\.label).joined(separator: " | ") + " |\n"
                out += "|---|---|" + b.columns.map { _ in "---:|" }.joined() + "\n"
                for r in b.rows {
                    out += "| \(r.code) | \(String(repeating: "　", count: max(0, r.level - 1)))\(r.name) | "
                        + r.cells.map { $0.map { money($0.value) } ?? "" }.joined(separator: " | ") + " |\n"
                }
                out += "\n"
            }
            for n in t.notes { out += "注：\(n)\n\n" }
        }
        return out
    }

    public static func text(_ s: Statements, _ tables: [Table], money: (Fen) -> String, unitName: String) -> String {
        var out = ""
        for t in tables {
            out += "表\(t.number)  \(t.title)\n\(header(s, unitName: unitName))\n"
            for b in t.blocks {
                if t.blocks.count > 1 { out += "【\(b.name)】\n" }
                var tt = TextTable(["编码", "名称"] + b.columns.map(\.label), align: [.left, .left] + b.columns.map { _ in .right })
                for r in b.rows {
                    tt.add([r.code, String(repeating: "  ", count: max(0, r.level - 1)) + r.name] + r.cells.map { $0.map { money($0.value) } ?? "" })
                }
                out += tt.render()
            }
            for n in t.notes { out += "注：\(n)\n" }
            out += "\n"
        }
        return out
    }
}
