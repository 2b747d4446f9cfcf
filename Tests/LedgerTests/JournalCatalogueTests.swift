import Foundation
import Testing
@testable import Ledger

/// Which catalogue a journal uses (`Catalogue.forJournal`), as every front end asks it.
@Suite struct JournalCatalogueTests {
    static let project = ProjectCode(rawValue: "51050023T000008267900")!

    @Test func theUnitsNamesBesideTheJournalAreMergedOverTheBase() throws {
        let builtIn = try Catalogue.builtIn()
        #expect(builtIn.name(Self.project) == nil)
        let c = try Catalogue.forJournal(Seed.journal, base: nil)
        #expect(c.name(Self.project) != nil)
        #expect(c.name(FunctionCode(rawValue: "2010350")!) == builtIn.name(FunctionCode(rawValue: "2010350")!))
        // No journal, or no file beside it: the base alone.
        #expect(try Catalogue.forJournal(nil, base: nil).name(Self.project) == nil)
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Catalogue.forJournal(dir + "/j.jsonl", base: "").name(Self.project) == nil)
    }

    @Test func aBaseFileReplacesTheBuiltInAndMustDefineEveryRule() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = dir + "/base.tsv"
        try "fund\tgpb\t一般公共预算财政拨款\tgpb\ngroup\tpersonnel\t301,303\t人员经费\n".write(toFile: base, atomically: true, encoding: .utf8)
        do {
            _ = try Catalogue.forJournal(dir + "/j.jsonl", base: base)
            Issue.record("an incomplete catalogue was accepted")
        } catch let e as Catalogue.Incomplete {
            #expect(e.missing.contains("group 'sangong-reception'") && !e.missing.contains("group 'personnel'"))
            #expect(e.description.hasPrefix("the code catalogue does not define group '"))
        }
        #expect(throws: Catalogue.LoadError.self) { try Catalogue.forJournal(nil, base: dir + "/missing.tsv") }
        // A unit file beside the journal that does not parse is an error, not ignored.
        try "nonsense\n".write(toFile: dir + "/catalogue.tsv", atomically: true, encoding: .utf8)
        #expect(throws: Catalogue.LoadError.self) { try Catalogue.forJournal(dir + "/j.jsonl", base: nil) }
    }
}
