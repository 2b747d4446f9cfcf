/// The audit trail newest first, a page at a time, for a front end that lists the journal:
/// read backwards from the end (or from where the last page stopped) in 1 MB windows, so a page
/// near the end costs what it shows, not the journal's length.
public struct NewestFirstPage: Sendable {
    /// The events found, newest first, each with the byte offset its line starts at.
    public var events: [(event: Event, offset: Int)] = []
    /// Where the next page continues (the offset to read before), nil when the start of the
    /// journal was reached.
    public var next: Int?
    /// True when the page stopped because it read its byte budget, not because it was full.
    public var budgetSpent = false
}

extension JournalStore {
    /// Up to `limit` events `match` accepts, newest first, from the lines that end at or before
    /// `before` (the journal's end when nil; otherwise an offset this function returned, which
    /// must be the start of a line). Reads at most about `budget` bytes: a rare filter then
    /// returns a short page with where to continue. `screen`, as in `events(containing:)`, is a
    /// byte string every matching line holds, so other lines are skipped undecoded. Decodes,
    /// does not check the chain; a line cut short at the end is left out (the readers that
    /// project name it).
    public func eventsNewestFirst(before: Int? = nil, limit: Int, budget: Int = 32 << 20, screen: [UInt8]? = nil,
                                  where match: (Event) -> Bool) throws(JournalError) -> NewestFirstPage {
        let file = try JournalFile(path: path, access: .read)
        let size = try file.size()
        var end = min(before ?? size, size)
        if end > 0, end < size || before != nil {
            let b = try file.read(at: end - 1, count: 1)
            guard withExtendedLifetime(b, { b.bytes.first == 0x0a }) else {
                throw .damaged(path: path, line: 0, reason: "offset \(end) is not the start of a line")
            }
        } else if end == size, size > 0, !(try file.endsWithNewline(size: size)) {
            end = (try file.lastNewline(before: size)).map { $0 + 1 } ?? 0   // leave a torn tail out
        }
        var page = NewestFirstPage()
        var read = 0
        var window = 1 << 20
        while end > 0 {
            if page.events.count >= limit { page.next = end; return page }
            if read >= budget { page.next = end; page.budgetSpent = true; return page }
            let start = max(0, end - window)
            let buf = try file.read(at: start, count: end - start)
            let raw = UnsafeRawBufferPointer(buf.bytes)
            // The first complete line in the window starts after its first newline (or at 0).
            let first: Int
            if start == 0 { first = 0 } else {
                guard let nl = raw.firstIndex(of: 0x0a), nl + 1 < raw.count else { window *= 4; continue }   // one line longer than the window
                first = nl + 1
            }
            var lineEnd = raw.count - 1   // the newline ending the last line
            var stop = false
            while lineEnd > first && !stop {
                var s = lineEnd - 1
                while s >= first && raw[s] != 0x0a { s -= 1 }
                let lineStart = s + 1
                let line = UnsafeRawBufferPointer(rebasing: raw[lineStart..<lineEnd])
                if screen.map({ line.containsBytes($0) }) ?? true {
                    guard let e = decodeEvent(line) else {
                        throw .damaged(path: path, line: 0, reason: "the line at byte \(start + lineStart) cannot be read; `fledger verify` names its line number")
                    }
                    if match(e) {
                        page.events.append((e, start + lineStart))
                        if page.events.count >= limit { page.next = start + lineStart; stop = true }
                    }
                }
                lineEnd = lineStart - 1
            }
            withExtendedLifetime(buf) {}
            if stop { return page.next == 0 ? NewestFirstPage(events: page.events, next: nil) : page }
            read += end - (start + first)
            end = start + first
        }
        page.next = nil
        return page
    }
}
