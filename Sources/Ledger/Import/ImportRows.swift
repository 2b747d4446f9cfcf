import Dispatch
import Glibc

/// Reading a batch to import: CSV with a header row, or JSON Lines of flat objects, with the
/// same field names as the journal (`type`, `id`, `date`, `fund`, `item`, `econ`, `nature`,
/// `project`, `amount` in yuan or 万, …). Every row keeps its line number so that a rejection
/// points at it.
public enum ImportFormat: String, Sendable, CaseIterable {
    case csv, jsonl

    /// By file extension: `.csv` is CSV; `.jsonl`, `.ndjson` and `.json` are JSON Lines.
    public static func guess(path: String) -> ImportFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") { return .jsonl }
        return nil
    }
}

public struct ImportRow: Sendable {
    /// 1-based line of the input where the row starts.
    public let line: Int
    public let draft: Draft
}

/// A row that could not even be read as fields.
public struct ImportSyntaxError: Error, Sendable, CustomStringConvertible {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}

public enum ImportRows {
    /// Splits input into rows; syntax errors are collected, not thrown, so every bad row is reported.
    public static func parse(_ text: String, format: ImportFormat) -> (rows: [ImportRow], errors: [ImportSyntaxError]) {
        parse(text, format: format) { ImportRow(line: $0, draft: $1) }
    }

    /// As `parse`, handing each row (its line and draft) to `make` as soon as it is read, so
    /// that only what `make` keeps of it stays in memory (an import keeps the typed request,
    /// not the text draft).
    public static func parse<T: Sendable>(_ text: String, format: ImportFormat, make: @Sendable (Int, Draft) -> T) -> (rows: [T], errors: [ImportSyntaxError]) {
        switch format {
        case .csv: return parseCSV(text, make: make)
        case .jsonl: return parseJSONL(text, make: make)
        }
    }

    /// Why a file could not be streamed: it could not be read, or its text is not valid in its
    /// encoding (nothing is imported from text that is not what it claims to be).
    public enum StreamFailure: Error, Sendable {
        case unreadable(String)
        case invalid(TextEncoding.Invalid)
    }

    /// Reads a JSON Lines file a piece of whole lines at a time, reading and parsing the next
    /// piece on another thread while `each` takes this one's rows (and syntax errors), in
    /// order: memory follows the piece, not the file. Returns the number of bytes read.
    public static func streamJSONL<T>(path: String, encoding: TextEncoding, piece: Int = 4 << 20, progress: ProgressSink? = nil,
                                      make: @escaping @Sendable (Int, Draft) -> T,
                                      each: (_ rows: [T], _ errors: [ImportSyntaxError]) -> Void) -> Result<Int, StreamFailure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
        defer { close(fd) }
        var st = stat()
        let total = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
        let reader = PieceReader(fd: fd, piece: piece)
        /// The next piece, parsed (nil at the end of the file).
        func next() -> Result<(rows: [T], errors: [ImportSyntaxError])?, StreamFailure> {
            switch reader.next() {
            case .failure(let f): return .failure(f)
            case .success(nil): return .success(nil)
            case .success(let p?):
                switch encoding.decode(p.bytes, mark: p.offset == 0) {
                case .failure(let bad):
                    return .failure(.invalid(TextEncoding.Invalid(line: bad.line + p.firstLine - 1, offset: bad.offset + p.offset,
                                                                  likely: bad.likely, encoding: bad.encoding)))
                case .success(var text):
                    return .success(text.withUTF8 { parseJSONL(bytes: UnsafeRawBufferPointer($0), firstLine: p.firstLine, make: make) })
                }
            }
        }
        var current = next()
        while true {
            guard case .success(let parsed?) = current else {
                if case .failure(let f) = current { return .failure(f) }
                return .success(reader.consumed)
            }
            let slot = Slot<Result<(rows: [T], errors: [ImportSyntaxError])?, StreamFailure>>(.success(nil)), group = DispatchGroup()
            let done = reader.consumed   // read before the other thread moves it on
            nonisolated(unsafe) let ahead = next
            DispatchQueue.global().async(group: group) { slot.value = ahead() }
            each(parsed.rows, parsed.errors)
            progress?(JournalProgress(done: done, total: total, unit: .bytes))
            group.wait()
            current = slot.value
        }
    }

    /// Whole lines from a file, a piece at a time; the last line may lack its newline.
    private final class PieceReader: @unchecked Sendable {
        let fd: Int32, piece: Int
        var carry: [UInt8] = []
        var offset = 0, consumed = 0, line = 1, atEnd = false
        init(fd: Int32, piece: Int) { self.fd = fd; self.piece = piece }

        func next() -> Result<(bytes: [UInt8], offset: Int, firstLine: Int)?, StreamFailure> {
            var bytes = carry
            carry = []
            while !atEnd {
                let start = bytes.count
                bytes.append(contentsOf: repeatElement(0, count: piece))
                let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + start, piece, off_t(offset)) }
                if n < 0 {
                    if errno == EINTR { bytes.removeLast(piece); continue }
                    return .failure(.unreadable(String(cString: strerror(errno))))
                }
                bytes.removeLast(piece - n)
                offset += n
                if n == 0 { atEnd = true; break }
                // Whole lines only: what follows the last newline waits for the next piece.
                if let nl = bytes[start...].lastIndex(of: 0x0a) {
                    carry = Array(bytes[(nl + 1)...])
                    bytes.removeLast(bytes.count - nl - 1)
                    break
                }
            }
            guard !bytes.isEmpty else { return .success(nil) }
            let at = consumed, first = line
            consumed += bytes.count
            line += bytes.reduce(0) { $1 == 0x0a ? $0 + 1 : $0 }
            return .success((bytes, at, first))
        }
    }

    /// Large inputs are cut in two at a line boundary and parsed on two threads.
    static func parseJSONL<T: Sendable>(_ text: String, make: @Sendable (Int, Draft) -> T) -> (rows: [T], errors: [ImportSyntaxError]) {
        var text = text
        return text.withUTF8 { u in
            let all = UnsafeRawBufferPointer(u)
            var mid = all.count / 2
            while mid < all.count, all[mid] != 0x0a { mid += 1 }
            guard all.count > 1 << 20, mid < all.count else { return parseJSONL(bytes: all, firstLine: 1, make: make) }
            let cut = mid
            let firstLines = all[..<mid].reduce(1) { $1 == 0x0a ? $0 + 1 : $0 }
            nonisolated(unsafe) var parts: [(rows: [T], errors: [ImportSyntaxError])] = [([], []), ([], [])]
            nonisolated(unsafe) let src = all
            DispatchQueue.concurrentPerform(iterations: 2) { k in
                let r = k == 0 ? parseJSONL(bytes: UnsafeRawBufferPointer(rebasing: src[..<cut]), firstLine: 1, make: make)
                               : parseJSONL(bytes: UnsafeRawBufferPointer(rebasing: src[(cut + 1)...]), firstLine: firstLines + 1, make: make)
                parts.withUnsafeMutableBufferPointer { $0[k] = r }
            }
            return (parts[0].rows + parts[1].rows, parts[0].errors + parts[1].errors)
        }
    }

    static func parseJSONL<T>(bytes all: UnsafeRawBufferPointer, firstLine: Int, make: (Int, Draft) -> T) -> (rows: [T], errors: [ImportSyntaxError]) {
        var rows: [T] = [], errors: [ImportSyntaxError] = []
        rows.reserveCapacity(all.count / 200)
        var lineNo = firstLine - 1
        var start = 0
        while start < all.count {
            var end = start
            while end < all.count, all[end] != 0x0a { end += 1 }
            defer { start = end + 1 }
            lineNo += 1
            var stop = end
            if stop > start, all[stop - 1] == 0x0d { stop -= 1 }
            let line = UnsafeRawBufferPointer(rebasing: all[start..<stop])
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                var fields: [String: String] = [:]
                for (k, v) in try FlatJSON.parse(line) {
                    switch v {
                    case .string(let s), .number(let s): fields[k] = s
                    case .null: break
                    case .bool:
                        throw ImportSyntaxError(line: lineNo, message: "field \"\(k)\": true/false is not a value any field takes")
                    }
                }
                rows.append(make(lineNo, Draft(fields: fields)))
            } catch let e as ImportSyntaxError {
                errors.append(e)
            } catch {
                errors.append(ImportSyntaxError(line: lineNo, message: "not a JSON object: \(error)"))
            }
        }
        return (rows, errors)
    }

    /// RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and newlines.
    static func parseCSV<T>(_ text: String, make: (Int, Draft) -> T) -> (rows: [T], errors: [ImportSyntaxError]) {
        var rows: [T] = [], errors: [ImportSyntaxError] = []
        var records: [(line: Int, fields: [String])] = []
        var field: [UInt8] = [], fields: [String] = []
        var inQuotes = false, quotedField = false
        var line = 1, recordLine = 1
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xef, 0xbb, 0xbf]) { bytes.removeFirst(3) }  // Excel's BOM
        var i = 0
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field = []; quotedField = false }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields = []
        }
        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == 0x22 {
                    if i + 1 < bytes.count, bytes[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
                    inQuotes = false
                } else {
                    if c == 0x0a { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case 0x22 where field.isEmpty && !quotedField:
                inQuotes = true; quotedField = true
            case 0x2c:
                endField()
            case 0x0d where i + 1 < bytes.count && bytes[i + 1] == 0x0a:
                break
            case 0x0a:
                endRecord(); line += 1; recordLine = line
            default:
                field.append(c)
            }
            i += 1
        }
        if inQuotes {
            errors.append(ImportSyntaxError(line: recordLine, message: "a quoted field is not closed before the end of the file"))
        } else if !field.isEmpty || !fields.isEmpty {
            endRecord()
        }
        guard let header = records.first else { return ([], errors) }
        let names = header.fields.map { $0.trimmingSpaces }
        var seen = Set<String>()
        for n in names {
            if n.isEmpty { errors.append(ImportSyntaxError(line: header.line, message: "the header has an empty column name")) }
            if !seen.insert(n).inserted { errors.append(ImportSyntaxError(line: header.line, message: "the header names column '\(n)' twice")) }
        }
        for r in records.dropFirst() {
            guard r.fields.count == names.count else {
                errors.append(ImportSyntaxError(line: r.line, message: "has \(r.fields.count) fields where the header has \(names.count)"))
                continue
            }
            var d: [String: String] = [:]
            for (n, v) in zip(names, r.fields) { d[n] = v }
            rows.append(make(r.line, Draft(fields: d)))
        }
        return (rows, errors)
    }
}
