import Foundation

/// Which catalogue a journal uses, decided once for every front end: the base catalogue (a
/// file the user names, else the one built in), with the unit's own names (its projects) from
/// the `catalogue.tsv` beside the journal merged over it. A result that does not define every
/// rule (`missingRules`) is refused before any figure is computed.
extension Catalogue {
    /// The file beside a journal that holds the unit's own names.
    public static func unitFile(beside journal: String) -> String {
        URL(fileURLWithPath: journal).deletingLastPathComponent().appendingPathComponent("catalogue.tsv").path
    }

    /// A catalogue that lacks rule data (a group, or a fund's category).
    public struct Incomplete: Error, CustomStringConvertible, Sendable {
        public let missing: [String]
        public var description: String {
            "the code catalogue does not define " + missing.joined(separator: ", ")
                + "; see the built-in catalogue.tsv for the lines every catalogue needs (kinds fund and group)"
        }
    }

    /// The catalogue the journal at `journal` uses (nil: no journal, the base alone), from the
    /// base file at `base` (nil or empty: the built-in one). Throws `LoadError` for a file that
    /// cannot be read or parsed, `Incomplete` for a result without every rule.
    public static func forJournal(_ journal: String?, base: String?) throws -> Catalogue {
        var c: Catalogue
        if let base, !base.isEmpty { c = try load(path: base) } else { c = try builtIn() }
        if let journal {
            let unit = unitFile(beside: journal)
            if FileManager.default.fileExists(atPath: unit) { c = c.merging(try load(path: unit)) }
        }
        let missing = c.missingRules
        guard missing.isEmpty else { throw Incomplete(missing: missing) }
        return c
    }
}
