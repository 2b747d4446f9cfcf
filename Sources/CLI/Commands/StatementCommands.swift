import Foundation
import Ledger
import Render
import Reconcile

enum StatementsCommand {
    static let spec = CommandSpec(
        name: "statements", summary: "the thirteen final-accounts tables (决算报表) of a fiscal year",
        usage: "statements --year YYYY [--table N] [--unit yuan|wan] [--format text|csv|json|markdown]",
        options: [
            Options.journal, Options.catalogue, Options.year.noting("required"),
            Options.table.noting("only that table"),
            Options.money(default: .wan),
            Options.format(StatementsFormat.self, "csv one line per cell, json in integer 分"),
        ],
        details: """
        Tables: 1 收入支出决算总表, 2 收入决算表, 3 支出决算表, 4 财政拨款收入支出决算总表, 5 财政拨款支出决算明细表,
        6 一般公共预算财政拨款支出决算表, 7 一般公共预算财政拨款支出决算明细表, 8 一般公共预算财政拨款基本支出决算表,
        9 一般公共预算财政拨款项目支出决算表, 10 政府性基金预算财政拨款收入支出决算表, 11 国有资本经营预算财政拨款收入支出决算表,
        12 国有资本经营预算财政拨款支出决算表, 13 财政拨款“三公”经费支出决算表.
        The journal is verified first. A year not yet closed is marked provisional: its 年末结转和结余 is every
        unspent balance. Row codes (first column) and column ids (CSV column_id, JSON columns[].id) or printed
        column names address cells for `fledger trace`.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let format = try Context.format(a, StatementsFormat.self)
        let year = try Context.year(a)
        let only = try Context.table(a)
        let unit = try Context.money(a, default: .wan)
        let money = unit.plain
        let s = try Reconciler.statements(try Context.store(a), year: year)
        let tables = s.tables.filter { only == nil || $0.number == only }
        let unitName = unit.title
        switch format {
        case .json:
            out(json(s, tables))
        case .csv:
            out("table,title,block,row,name,level,column_id,column,amount")
            for t in tables {
                for (block, row, column, cell) in t.cells {
                    out([String(t.number), t.title, block, row.code, row.name, String(row.level), column.id.rawValue, column.label, money(cell.value)]
                        .map(csvField).joined(separator: ","))
                }
            }
        case .markdown:
            out(StatementRender.markdown(s, tables, money: money, unitName: unitName), terminator: "")
        case .text:
            out(StatementRender.text(s, tables, money: money, unitName: unitName), terminator: "")
        }
        return .ok
    }

    static func json(_ s: Statements, _ tables: [Table]) -> String {
        let tables: [JSON] = tables.map { t in
            let blocks: [JSON] = t.blocks.map { b in
                let rows: [JSON] = b.rows.map { r in
                    .object(["code": .string(r.code), "name": .string(r.name), "level": .int(r.level),
                             "cells": .array(r.cells.map { .fen($0?.value) })])
                }
                return .object(["name": .string(b.name), "columns": .array(b.columns.map { .object(["id": .string($0.id.rawValue), "label": .string($0.label)]) }),
                                "rows": .array(rows, .perElementClosedInline)])
            }
            return .object(["number": .int(t.number), "title": .string(t.title), "notes": .array(t.notes.map { .string($0) }), "blocks": .array(blocks)])
        }
        return JSON.object(["year": .int(s.year), "provisional": .bool(s.provisional), "amounts": .string("fen"), "tables": .array(tables, .perElement)]).encoded
    }
}

enum ReconcileCommand {
    static let spec = CommandSpec(
        name: "reconcile", summary: "prove the statements tie out to the journal, to the fen",
        usage: "reconcile --year YYYY [--save PROOF.json] [--against PROOF.json] [--format text|json]",
        options: [
            Options.journal, Options.catalogue,
            Options.year.noting("required unless --against"),
            OptionSpec(name: "save", value: "FILE", help: "write the proof (bound to the journal's event count and head hash) as JSON"),
            OptionSpec(name: "against", value: "FILE", help: "re-check a saved proof against the journal as it is now, and say what changed"),
            Options.format(TextOrJSON.self),
        ],
        details: """
        Verifies the journal (a damaged one fails with its line), builds the thirteen tables, recomputes every
        cell from the raw events by a separate path, and checks every identity of the tables (类 = Σ 款, row
        sums, 总计, 年末 = 年初 + 收入 − 支出, and across tables) exactly in 分 and again on the printed 万元
        cells, where each difference is listed as a rounding difference with its cells and size.
        Exit status 0 when everything ties; 6 when something does not (each failure names its table, row,
        column, both values, the difference and the events involved); 3 for a damaged journal.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let format = try Context.format(a, TextOrJSON.self)
        let store = try Context.store(a)
        if let path = a["against"] { return try recheck(path, store: store, format: format) }
        let year = try Context.year(a)
        let (_, r) = try Reconciler.reconcile(store, year: year)
        if let path = a["save"] { try Proof(r).save(to: path) }
        switch format {
        case .json:
            out(Proof(r).json())
        case .text:
            out("reconcile \(year)\(r.provisional ? " (provisional: the year is not closed)" : ""): " + (r.passed ? "PASSED" : "FAILED"))
            out("journal: \(r.journal), \(r.events) events, head \(r.head.hex)")
            out("checked: \(r.cells.count) cells recomputed from the raw events; \(r.identities.count) identities, exact in 分 and on the printed 万元 cells; \(r.roundingDifferences.count) rounding difference(s)")
            for i in r.roundingDifferences {
                out("  rounding: \(i.identity): \(i.lhs) prints \(i.printedLHS.wan); its printed parts sum to \(i.printedRHS.wan) (difference \(i.printedGap.wan) 万元, exact in 分): "
                    + i.rhs.map { "\($0.sign < 0 ? "−" : "")\($0.ref) \($0.value.wan)" }.joined(separator: ", "))
            }
            for f in r.failures { out("  FAIL \(f)") }
            if let path = a["save"] { out("proof saved to \(path)") }
        }
        return r.passed ? .ok : .unreconciled
    }

    /// `--against PROOF`: a saved proof checked against the journal as it is now.
    static func recheck(_ path: String, store: JournalStore, format: TextOrJSON) throws -> Exit {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(exit: .io, message: "cannot read \(path)") }
        guard let proof = Proof.decode(data) else {
            if let f = Proof.format(of: data), f.hasPrefix("fledger-proof/") {
                throw Failure(exit: .usage, message: "\(path) is a proof in format \(f); this fledger reads \(Proof.currentFormat) (cells named by id). Make it again with `fledger reconcile --year Y --save FILE`")
            }
            throw Failure(exit: .usage, message: "\(path) is not a fledger proof")
        }
        let r = try Reconciler.recheck(proof, store: store)
        switch format {
        case .json:
            let changed: [JSON] = r.changed.map { .object(["cell": .string($0.ref.description), "proven": .fen($0.before), "now": .fen($0.now)]) }
            out(JSON.object(["holds": .bool(r.holds), "year": .int(proof.year), "proven_events": .int(proof.events), "proven_head": .string(proof.head),
                             "events": .int(r.events), "head": .string(r.head.hex), "prefix_intact": .bool(r.prefixIntact), "changed": .array(changed)]).encoded)
        case .text:
            out("proof of \(proof.year): made on \(proof.events) events, head \(proof.head)")
            out("journal now: \(r.events) events, head \(r.head.hex)")
            if r.events == proof.events && r.head.hex == proof.head { out("the journal is the one the proof was made from") }
            else if r.prefixIntact { out("the journal still begins with the proven \(proof.events) events; \(r.appended) event(s) appended since") }
            else { out("the journal no longer begins with the proven events: event \(proof.events) is not the one proven (or is gone)") }
            for c in r.changed { out("changed: \(c.ref) was \(c.before.yuan) (\(c.before.wan) 万元), now \(c.now.map { "\($0.yuan) (\($0.wan) 万元)" } ?? "absent")") }
            out(r.holds ? "HOLDS: every proven cell of \(proof.year) is unchanged" : "DOES NOT HOLD: \(r.changed.count) cell(s) changed" + (r.prefixIntact ? "" : ", and the proven journal prefix was altered"))
        }
        return r.holds ? .ok : .unreconciled
    }
}

enum TraceCommand {
    static let spec = CommandSpec(
        name: "trace", summary: "list the events that make up one statement cell, and their sum",
        usage: "trace --year YYYY --table N --row CODE --column NAME [--verify] [--format text|csv|json]",
        options: [
            Options.journal, Options.catalogue,
            Options.year.noting("required"),
            Options.table.noting("required"),
            OptionSpec(name: "row", value: "CODE", help: "row code as `fledger statements` prints it (2010350, total, income-total, …)"),
            OptionSpec(name: "column", value: "ID|NAME", help: "column id (amount, total, basic, econ:30101, actual:reception, …) or its printed name (决算数, 基本支出, …)"),
            Options.format(TableFormat.self),
            OptionSpec(name: "verify", value: nil, help: "verify every line of the journal first, as `reconcile` does (slower)"),
        ],
        details: """
        Each event is listed with what it contributes to the cell (reversals and lapses negative); the sum equals the cell.
        Without --verify, trace reads the journal as `budget` does: on all cores, without re-checking the hash chain.
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        let format = try Context.format(a, TableFormat.self)
        let year = try Context.year(a)
        _ = try a.required("table")
        guard let table = try Context.table(a) else { throw UsageError(message: "--table is required") }
        let row = try a.required("row"), column = try a.required("column")
        let store = try Context.store(a)
        if !a.flags.contains("verify") { _ = try store.checkBeforeReading() }
        guard let t = try Reconciler.trace(store, year: year, table: table, row: row, column: column,
                                           verified: a.flags.contains("verify")) else {
            throw Failure(exit: .notFound, message: "table \(table) has no cell at row '\(row)', column '\(column)'; `fledger statements --year \(year) --table \(table)` shows the row codes and column names; `--format csv` the column ids")
        }
        switch format {
        case .json:
            let terms: [JSON] = t.terms.map { x in
                .object(["seq": .int(x.event.seq), "id": .string(x.event.id.rawValue), "date": .string(x.event.date.description),
                         "type": .string(x.event.body.type.rawValue), "as": .string(x.kind.rawValue), "actor": .string(x.event.actor), "amount": .fen(x.signed)])
            }
            out(JSON.object(["cell": .string(t.ref.description), "query": .string(t.cell.query.summary), "value": .fen(t.cell.value),
                             "sum": .fen(t.sum), "events": .array(terms, .perElement)]).encoded)
        case .csv:
            out("seq,id,date,type,as,actor,amount")
            for x in t.terms {
                let e = x.event
                out([String(e.seq), e.id.rawValue, e.date.description, e.body.type.rawValue, x.kind.rawValue, e.actor, x.signed.yuan].map(csvField).joined(separator: ","))
            }
        case .text:
            out("\(t.ref): \(t.cell.value.yuanGrouped) yuan (\(t.cell.value.wan) 万元) = \(t.cell.query.summary)")
            var tt = TextTable(["seq", "date", "id", "type", "as", "actor", "amount"], align: [.right, .left, .left, .left, .left, .left, .right])
            for x in t.terms {
                let e = x.event
                tt.add([String(e.seq), e.date.description, e.id.rawValue, e.body.type.rawValue, x.kind.rawValue, e.actor, x.signed.yuanGrouped])
            }
            write(tt.render(), to: 1)
            out("\(t.terms.count) event contribution(s), sum \(t.sum.yuanGrouped)" + (t.sum == t.cell.value ? " = the cell" : " ≠ the cell \(t.cell.value.yuanGrouped): run fledger reconcile"))
        }
        return .ok
    }
}
