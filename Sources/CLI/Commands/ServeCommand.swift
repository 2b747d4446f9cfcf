import Foundation
import Ledger
import Web

enum ServeCommand {
    static let spec = CommandSpec(
        name: "serve", summary: "the books in a web browser: budget, journal, events, statements, the document (read only)",
        usage: "serve [--journal PATH] [--listen 127.0.0.1:8080]",
        options: [
            Options.journal, Options.catalogue,
            OptionSpec(name: "listen", value: "HOST:PORT", help: "loopback address and port to listen on (default 127.0.0.1:8080; port 0 picks a free one)"),
        ],
        details: """
        Pages: / (overview), /budget?year=Y&by=item|project|econ|fund|nature|sangong, /journal?kind=&item=&project=&actor=&from=&to=&text=,
        /event/ID, /statements/Y, /statements/Y/T, /trace?year=Y&table=T&row=R&column=C, /report/Y, /check (upload a report).
        Read only. Listens on a loopback address (127.x.x.x) only: there are no logins yet; reach it from another
        machine through an SSH tunnel. Each page load sees what was appended since (a `fledger post` elsewhere shows
        on the next load); in the background every line is verified and each year reconciled again when the journal
        changes. A damaged journal gives a page naming its line, never old figures.
        Prints the address when it listens; runs until interrupted (Ctrl-C).
        """)

    static func run(_ a: ParsedArgs) throws -> Exit {
        guard a.positionals.isEmpty else { throw UsageError(message: "serve takes no positional arguments") }
        let store = try Context.store(a)
        guard FileManager.default.fileExists(atPath: store.path) else { throw JournalError.missing(path: store.path) }
        let books = Books(store: store)
        let app = WebApp(books: books)
        let server: HTTPServer
        do { server = try HTTPServer(listen: a["listen"] ?? "127.0.0.1:8080") { app.handle($0) } } catch {
            throw UsageError(message: error.description)
        }
        _ = try? books.current()   // the first page is then quick
        books.startVerifier()
        server.start()
        out("fledger serve: http://\(server.host):\(server.port)/  (journal \(store.path); Ctrl-C stops)")
        flushStdout()
        // Stop cleanly on SIGINT and SIGTERM.
        for s in [SIGINT, SIGTERM] { signal(s, SIG_IGN) }
        let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: .global()) }
        for src in sources {
            src.setEventHandler { server.stop() }
            src.resume()
        }
        withExtendedLifetime(sources) { server.wait() }   // the sources live as long as the server
        books.stop(wait: false)
        return .ok
    }
}
