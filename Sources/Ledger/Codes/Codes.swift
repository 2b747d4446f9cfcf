/// Strongly typed codes (swift-system's `Errno` habit): a 功能分类 code, an 经济分类 code, a
/// project code, a fund source and an event id are distinct types, never bare strings.
/// Each checks only its *shape* here; whether a code exists is the catalogue's business.

/// 功能分类 code: 3-digit 类, 5-digit 款, 7-digit 项 (e.g. `2010350`).
public struct FunctionCode: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init?(rawValue: String) {
        guard [3, 5, 7].contains(rawValue.utf8.count), rawValue.utf8.allSatisfy(isDigit) else { return nil }
        self.rawValue = rawValue
    }
    public var isItem: Bool { rawValue.utf8.count == 7 }
    /// 类 (3 digits) and 款 (5 digits) above this code.
    public var ancestors: [FunctionCode] {
        [3, 5].filter { $0 < rawValue.count }.map { FunctionCode(rawValue: String(rawValue.prefix($0)))! }
    }
    public var description: String { rawValue }
    public static func < (l: Self, r: Self) -> Bool { l.rawValue < r.rawValue }
}

/// 经济分类 code: 3-digit 类 or 5-digit 款 (e.g. `30101`).
public struct EconomicCode: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init?(rawValue: String) {
        guard [3, 5].contains(rawValue.utf8.count), rawValue.utf8.allSatisfy(isDigit) else { return nil }
        self.rawValue = rawValue
    }
    public var isKuan: Bool { rawValue.utf8.count == 5 }
    public var category: EconomicCode { EconomicCode(rawValue: String(rawValue.prefix(3)))! }
    public var description: String { rawValue }
    public static func < (l: Self, r: Self) -> Bool { l.rawValue < r.rawValue }
}

/// Project code as Sichuan issues them: 8 digits, one capital letter, 12 digits
/// (`51050022T000000280041`).
public struct ProjectCode: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init?(rawValue: String) {
        let u = Array(rawValue.utf8)
        guard u.count == 21, u[0..<8].allSatisfy(isDigit), u[8] >= 65 && u[8] <= 90,
              u[9...].allSatisfy(isDigit) else { return nil }
        self.rawValue = rawValue
    }
    public var description: String { rawValue }
    public static func < (l: Self, r: Self) -> Bool { l.rawValue < r.rawValue }
}

/// Fund source (资金来源), a code of the catalogue's `fund` kind, e.g. `gpb` for
/// 一般公共预算财政拨款. Lower-case ASCII letters and digits.
public struct FundCode: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init?(rawValue: String) {
        guard (1...16).contains(rawValue.utf8.count),
              rawValue.utf8.allSatisfy({ isDigit($0) || ($0 >= 97 && $0 <= 122) }) else { return nil }
        self.rawValue = rawValue
    }
    public var description: String { rawValue }
    public static func < (l: Self, r: Self) -> Bool { l.rawValue < r.rawValue }
}

/// An event's id: 1–64 characters of `A–Z a–z 0–9 . _ : -`, so it is safe on a command line,
/// in a file name and in `grep`.
public struct EventID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init?(rawValue: String) {
        guard (1...64).contains(rawValue.utf8.count), rawValue.utf8.allSatisfy(isIDByte) else { return nil }
        self.rawValue = rawValue
    }
    public var description: String { rawValue }
    public static func < (l: Self, r: Self) -> Bool { l.rawValue < r.rawValue }
}

/// 基本支出 or 项目支出.
public enum Nature: Hashable, Sendable, CaseIterable {
    case basic, project

    /// Wire names, from an explicit table: renaming a case never changes the journal.
    public var wire: String {
        switch self {
        case .basic: return "basic"
        case .project: return "project"
        }
    }
    public var chinese: String {
        switch self {
        case .basic: return "基本支出"
        case .project: return "项目支出"
        }
    }
    /// Accepts the wire name or the Chinese word (基本 / 项目, with or without 支出).
    public init?(text: String) {
        switch text {
        case "basic", "基本", "基本支出": self = .basic
        case "project", "项目", "项目支出": self = .project
        default: return nil
        }
    }
}

@inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
@inline(__always) func isIDByte(_ c: UInt8) -> Bool {
    isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 46 || c == 95 || c == 58 || c == 45
}
