import Foundation
import Ledger

/// A one-line progress display on standard error, only when it is a terminal: how far a long
/// command has got, its rate and the time left. Nothing at all when standard error is a file
/// or a pipe (scripts and logs see only the result), or when FLEDGER_NO_PROGRESS is set.
final class ProgressLine: @unchecked Sendable {
    let label: String
    private let start = Date()
    private var last = Date.distantPast
    private var shown = false
    private let lock = NSLock()

    init(label: String) { self.label = label }

    static func forTerminal(_ label: String) -> ProgressLine? {
        guard isatty(2) == 1, ProcessInfo.processInfo.environment["FLEDGER_NO_PROGRESS"] == nil else { return nil }
        return ProgressLine(label: label)
    }

    func report(_ p: JournalProgress) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        // Quick commands show nothing; long ones update four times a second.
        guard elapsed >= 0.5, now.timeIntervalSince(last) >= 0.25, p.total > 0, p.done < p.total else { return }
        last = now
        write("\r\u{1B}[K" + ProgressLine.text(label, p, elapsed: elapsed), to: 2)
        shown = true
    }

    /// The line, e.g. `verify: 45% · 170 of 370 MB · 62 MB/s · 3 s left`.
    static func text(_ label: String, _ p: JournalProgress, elapsed: Double) -> String {
        let fraction = Double(p.done) / Double(max(p.total, 1))
        let rate = Double(p.done) / max(elapsed, 1e-3)
        let left = rate > 0 ? Double(p.total - p.done) / rate : 0
        let amounts: String
        switch p.unit {
        case .bytes: amounts = "\(p.done / 1_000_000) of \(p.total / 1_000_000) MB · \(Int(rate / 1_000_000)) MB/s"
        case .rows: amounts = "\(p.done.grouped) of \(p.total.grouped) rows · \(Int(rate).grouped) rows/s"
        }
        return "\(label): \(Int(fraction * 100))% · \(amounts) · \(Int(left.rounded(.up))) s left"
    }

    /// Clears the line, before the command's own output on standard error.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shown { write("\r\u{1B}[K", to: 2) }
        shown = false
    }
}

extension Int {
    /// 1000000 → 1,000,000.
    var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (self < 0 ? "-" : "") + out
    }
}
