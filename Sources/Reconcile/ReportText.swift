import Foundation

/// A report's text from its bytes, for the report checker: UTF-8 text as it is (a byte-order
/// mark dropped), or a PDF converted by poppler's `pdftotext -layout` when it is installed.
public enum ReportText {
    public struct Unreadable: Error, CustomStringConvertible { public let description: String }

    public static func text(of bytes: [UInt8], name: String) throws(Unreadable) -> String {
        if bytes.starts(with: Array("%PDF-".utf8)) {
            guard let tool = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw Unreadable(description: "\(name) is a PDF and pdftotext is not installed: install poppler-utils (apt-get install poppler-utils), or give the text of `pdftotext -layout REPORT.pdf`")
            }
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-report-\(UUID().uuidString)")
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false)
                defer { try? FileManager.default.removeItem(at: dir) }
                let pdf = dir.appendingPathComponent("report.pdf")
                try Data(bytes).write(to: pdf)
                let p = Process()
                p.executableURL = URL(fileURLWithPath: tool)
                p.arguments = ["-layout", pdf.path, "-"]
                let pipe = Pipe()
                p.standardOutput = pipe
                p.standardError = FileHandle.nullDevice
                try p.run()
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                guard p.terminationStatus == 0 else { throw Unreadable(description: "pdftotext could not read \(name)") }
                return String(decoding: data, as: UTF8.self)
            } catch let u as Unreadable {
                throw u
            } catch {
                throw Unreadable(description: "\(name): \(error)")
            }
        }
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw Unreadable(description: "\(name) is not UTF-8 text (a report saved as GBK? convert it: iconv -f GB18030 -t UTF-8)")
        }
        return s.hasPrefix("\u{FEFF}") ? String(s.dropFirst()) : s
    }
}
