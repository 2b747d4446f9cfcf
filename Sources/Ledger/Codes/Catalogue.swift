import Foundation

/// The code catalogue: every 功能分类 and 经济分类 code and every fund source the program
/// accepts, with its name. It is data, loaded from a tab-separated file, so a new year's
/// catalogue is a new file, not new code. Format (one code a line, `#` starts a comment):
///
///     func	2010350	事业运行
///     econ	30101	基本工资
///     fund	gpb	一般公共预算财政拨款
///     project	51050022T000000381226	政府采购专家评审劳务费
///
/// The built-in file holds the national codes; a unit's own names (its projects) live in a
/// second file that is merged over it.
public struct Catalogue: Sendable {
    public private(set) var functions: [FunctionCode: String] = [:]
    public private(set) var economics: [EconomicCode: String] = [:]
    public private(set) var funds: [FundCode: String] = [:]
    public private(set) var projects: [ProjectCode: String] = [:]

    public init() {}

    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public let path: String, line: Int, message: String
        public var description: String { "\(path):\(line): \(message)" }
    }

    /// Parses catalogue text; `path` only names the source in errors.
    public init(text: String, path: String) throws(LoadError) {
        var lineNo = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count == 3, !cols[2].isEmpty else {
                throw LoadError(path: path, line: lineNo, message: "expected 3 tab-separated fields: kind, code, name")
            }
            switch cols[0] {
            case "func":
                guard let c = FunctionCode(rawValue: cols[1]) else {
                    throw LoadError(path: path, line: lineNo, message: "功能分类 code '\(cols[1])' is not 3, 5 or 7 digits")
                }
                functions[c] = cols[2]
            case "econ":
                guard let c = EconomicCode(rawValue: cols[1]) else {
                    throw LoadError(path: path, line: lineNo, message: "经济分类 code '\(cols[1])' is not 3 or 5 digits")
                }
                economics[c] = cols[2]
            case "fund":
                guard let c = FundCode(rawValue: cols[1]) else {
                    throw LoadError(path: path, line: lineNo, message: "fund code '\(cols[1])' is not lower-case letters and digits")
                }
                funds[c] = cols[2]
            case "project":
                guard let c = ProjectCode(rawValue: cols[1]) else {
                    throw LoadError(path: path, line: lineNo, message: "project code '\(cols[1])' is not a project code (8 digits, a capital letter, 12 digits)")
                }
                projects[c] = cols[2]
            default:
                throw LoadError(path: path, line: lineNo, message: "unknown kind '\(cols[0])', expected func, econ, fund or project")
            }
        }
    }

    /// Loads a catalogue file.
    public static func load(path: String) throws(LoadError) -> Catalogue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(path: path, line: 0, message: "cannot read the catalogue file")
        }
        return try Catalogue(text: String(decoding: data, as: UTF8.self), path: path)
    }

    /// The catalogue shipped with the program (`Sources/Ledger/Resources/catalogue.tsv`).
    public static func builtIn() throws(LoadError) -> Catalogue {
        guard let url = Bundle.module.url(forResource: "catalogue", withExtension: "tsv") else {
            throw LoadError(path: "catalogue.tsv", line: 0, message: "the built-in catalogue is missing from the install")
        }
        return try load(path: url.path)
    }

    /// Name of a 功能分类 code, if catalogued.
    public func name(_ code: FunctionCode) -> String? { functions[code] }
    public func name(_ code: EconomicCode) -> String? { economics[code] }
    public func name(_ code: FundCode) -> String? { funds[code] }
    public func name(_ code: ProjectCode) -> String? { projects[code] }

    /// This catalogue with `other`'s entries added (and winning where both name a code).
    public func merging(_ other: Catalogue) -> Catalogue {
        var c = self
        c.functions.merge(other.functions) { $1 }
        c.economics.merge(other.economics) { $1 }
        c.funds.merge(other.funds) { $1 }
        c.projects.merge(other.projects) { $1 }
        return c
    }
}
