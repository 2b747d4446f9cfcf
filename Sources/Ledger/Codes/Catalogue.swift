import Foundation

/// The code catalogue: every 功能分类 and 经济分类 code and every fund source the program
/// accepts, with its name. It is data, loaded from a tab-separated file, so a new year's
/// catalogue is a new file, not new code. Format (one code a line, `#` starts a comment):
///
///     func	2010350	事业运行
///     econ	30101	基本工资
///     fund	gpb	一般公共预算财政拨款	gpb
///     project	51050022T000000381226	政府采购专家评审劳务费
///     group	personnel	301,303	人员经费
///
/// A `fund` line has a fourth field, the statement category the fund reports under
/// (`FundCategory`); a `group` line names an `EconGroup`, its 经济分类 codes and a label.
///
/// The built-in file holds the national codes; a unit's own names (its projects) live in a
/// second file that is merged over it.
public struct Catalogue: Sendable {
    public private(set) var functions: [FunctionCode: String] = [:]
    public private(set) var economics: [EconomicCode: String] = [:]
    public private(set) var funds: [FundCode: String] = [:]
    public private(set) var projects: [ProjectCode: String] = [:]
    public private(set) var fundCategories: [FundCode: FundCategory] = [:]
    public private(set) var groups: [EconGroup: [EconomicCode]] = [:]
    public private(set) var groupLabels: [EconGroup: String] = [:]

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
            let want = cols.first == "fund" || cols.first == "group" ? 4 : 3
            guard cols.count == want, !cols[2].isEmpty, !cols[want - 1].isEmpty else {
                throw LoadError(path: path, line: lineNo, message: want == 4
                    ? "expected 4 tab-separated fields: \(cols[0]), " + (cols[0] == "fund" ? "code, name, statement category" : "name, codes, label")
                    : "expected 3 tab-separated fields: kind, code, name")
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
                guard let category = FundCategory(rawValue: cols[3]) else {
                    throw LoadError(path: path, line: lineNo, message: "fund category '\(cols[3])' is not one of \(FundCategory.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                funds[c] = cols[2]
                fundCategories[c] = category
            case "group":
                guard let g = EconGroup(rawValue: cols[1]) else {
                    throw LoadError(path: path, line: lineNo, message: "group '\(cols[1])' is not one of \(EconGroup.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                var codes: [EconomicCode] = []
                for part in cols[2].split(separator: ",", omittingEmptySubsequences: false) {
                    guard let c = EconomicCode(rawValue: String(part)) else {
                        throw LoadError(path: path, line: lineNo, message: "group code '\(part)' is not a 3- or 5-digit 经济分类 code")
                    }
                    codes.append(c)
                }
                groups[g] = codes
                groupLabels[g] = cols[3]
            case "project":
                guard let c = ProjectCode(rawValue: cols[1]) else {
                    throw LoadError(path: path, line: lineNo, message: "project code '\(cols[1])' is not a project code (8 digits, a capital letter, 12 digits)")
                }
                projects[c] = cols[2]
            default:
                throw LoadError(path: path, line: lineNo, message: "unknown kind '\(cols[0])', expected func, econ, fund, project or group")
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
        let c = try load(path: url.path)
        assert(c.missingRules.isEmpty, "the built-in catalogue lacks \(c.missingRules)")
        return c
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
        c.fundCategories.merge(other.fundCategories) { $1 }
        c.groups.merge(other.groups) { $1 }
        c.groupLabels.merge(other.groupLabels) { $1 }
        return c
    }
}
