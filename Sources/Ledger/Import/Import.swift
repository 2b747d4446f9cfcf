import Foundation

/// An import: a CSV or JSON Lines file appended to the journal as one batch, all rows or none.
/// Each row becomes its typed request as it is read, and is judged (and its line written, once
/// enough have gathered) before the next piece of the file is read: memory follows a piece of
/// the file, not the file. CSV (whose quoted fields may hold newlines) is read whole first.
/// The command line and the web front end both run it and only render its outcome.
public struct Import: Sendable {
    public var path: String
    public var format: ImportFormat
    public var encoding: TextEncoding
    /// The actor of rows that name none.
    public var defaultActor: String?

    public init(path: String, format: ImportFormat, encoding: TextEncoding = .utf8, defaultActor: String? = nil) {
        self.path = path; self.format = format; self.encoding = encoding; self.defaultActor = defaultActor
    }

    /// One bad row: its line, and what is wrong with it.
    public struct Problem: Sendable {
        public enum Kind: Sendable {
            /// The row's text does not parse as the format.
            case syntax(String)
            /// The row parsed, and was rejected (for its text or by the rules).
            case rejected(Rejection)
        }
        public let line: Int
        public let kind: Kind
    }

    public enum Outcome: Sendable {
        /// Every row was appended, or was already posted with the same content.
        case imported(appended: Int, duplicates: Int)
        /// Nothing was imported: every bad row, in line order, of `rows` read.
        case rejected(problems: [Problem], rows: Int)
        /// Nothing was imported: the file's text is not valid in its encoding (never stored garbled).
        case invalidText(TextEncoding.Invalid)
        /// Nothing was imported: the file could not be read.
        case unreadable(String)
    }

    /// Reads, judges and appends the file to `store`'s journal.
    public func run(into store: JournalStore) throws(JournalError) -> Outcome {
        let catalogue = store.catalogue, defaultActor = defaultActor, format = format, encoding = encoding, file = path
        let make: @Sendable (Int, Draft) -> (line: Int, request: Result<Request, Rejection>) = { line, draft in
            var d = draft
            if d[Wire.actor] == nil, let defaultActor { d.fields[Wire.actor] = defaultActor }
            return (line, d.request(catalogue: catalogue))
        }
        var lines: [Int32] = [], syntax: [ImportSyntaxError] = []
        var unreadable: String?, invalid: TextEncoding.Invalid?
        let source: JournalStore.RowSource = { _ in
            { take in
                lines.removeAll(keepingCapacity: true)
                syntax.removeAll()
                func feed(_ rows: [(line: Int, request: Result<Request, Rejection>)], _ errors: [ImportSyntaxError]) {
                    for r in rows { lines.append(Int32(truncatingIfNeeded: r.line)); take(r.request) }
                    syntax += errors
                }
                let read: Result<Int, ImportRows.StreamFailure>
                if format == .jsonl {
                    read = ImportRows.streamJSONL(path: file, encoding: encoding, progress: store.progress, make: make) { feed($0, $1) }
                } else if let data = FileManager.default.contents(atPath: file) {
                    switch encoding.decode(Array(data)) {
                    case .failure(let bad): read = .failure(.invalid(bad))
                    case .success(let text):
                        let parsed = ImportRows.parse(text, format: format, make: make)
                        feed(parsed.rows, parsed.errors)
                        read = .success(data.count)
                    }
                } else {
                    read = .failure(.unreadable("cannot read the file"))
                }
                switch read {
                case .success: return syntax.isEmpty
                case .failure(.unreadable(let why)): unreadable = why; return false
                case .failure(.invalid(let bad)): invalid = bad; return false
                }
            }
        }
        let counts = JournalStore.BatchCounts()
        let result = try store.post(streaming: source, counts: counts)
        if let unreadable { return .unreadable(unreadable) }
        if let invalid { return .invalidText(invalid) }
        var problems = syntax.map { Problem(line: $0.line, kind: .syntax($0.message)) }
        switch result {
        case .rejected(let list):
            problems += list.map { Problem(line: lines.indices.contains($0.index) ? Int(lines[$0.index]) : 0, kind: .rejected($0.rejection)) }
        case .committed:
            return .imported(appended: counts.appended, duplicates: counts.duplicates)
        }
        return .rejected(problems: problems.sorted { $0.line < $1.line }, rows: lines.count + syntax.count)
    }
}
