import Foundation
import Ledger

/// fledger's entry point: picks the command, runs it, maps its outcome to an exit status.
/// Exit statuses (also in `fledger --help`):
enum Exit: Int32 {
    case ok = 0
    case rejected = 1      // a post or import was refused by validation; nothing was written
    case usage = 2         // the command line is wrong
    case damaged = 3       // the journal (or a file beside it) is damaged or tampered with
    case io = 4            // the operating system refused: missing file, permissions, disk
    case notFound = 5      // `show` of an id that is not in the journal
    case unreconciled = 6  // `reconcile`: the statements do not tie out to the journal
}

struct Failure: Error {
    let exit: Exit
    let message: String
}

nonisolated(unsafe) let commands: [String: (CommandSpec, (ParsedArgs) throws -> Exit)] = [
    "init": (InitCommand.spec, InitCommand.run),
    "open-year": (OpenYearCommand.spec, OpenYearCommand.run),
    "post": (PostCommand.spec, PostCommand.run),
    "import": (ImportCommand.spec, ImportCommand.run),
    "log": (LogCommand.spec, LogCommand.run),
    "show": (ShowCommand.spec, ShowCommand.run),
    "close": (CloseCommand.spec, CloseCommand.run),
    "reopen": (ReopenCommand.spec, ReopenCommand.run),
    "budget": (BudgetCommand.spec, BudgetCommand.run),
    "export": (ExportCommand.spec, ExportCommand.run),
    "statements": (StatementsCommand.spec, StatementsCommand.run),
    "reconcile": (ReconcileCommand.spec, ReconcileCommand.run),
    "report": (ReportCommand.spec, ReportCommand.run),
    "check-report": (CheckReportCommand.spec, CheckReportCommand.run),
    "trace": (TraceCommand.spec, TraceCommand.run),
    "verify": (VerifyCommand.spec, VerifyCommand.run),
    "repair": (RepairCommand.spec, RepairCommand.run),
    "key": (KeyCommand.spec, KeyCommand.run),
    "actor": (ActorCommand.spec, ActorCommand.run),
    "approve": (DecisionCommand.approveSpec, DecisionCommand.approve),
    "reject": (DecisionCommand.rejectSpec, DecisionCommand.reject),
    "serve": (ServeCommand.spec, ServeCommand.run),
    "checkpoint": (CheckpointCommand.spec, CheckpointCommand.run),
    "prove": (ProveCommand.spec, ProveCommand.run),
    "check-proof": (CheckProofCommand.spec, CheckProofCommand.run),
    "trust": (TrustCommand.spec, TrustCommand.run),
]
let order = ["init", "open-year", "post", "import", "log", "show", "budget", "export", "close", "reopen", "statements", "reconcile", "report",
             "check-report", "trace", "verify", "repair", "key", "actor", "approve", "reject", "checkpoint", "prove", "check-proof", "trust", "serve"]

let mainHelp = """
fledger — an append-only, hash-chained budget ledger for public-sector final accounts (单位决算)

Usage: fledger COMMAND [OPTIONS]    (fledger COMMAND --help for each)

Commands:
\(order.map { "  " + $0.padding(toLength: order.map(\.count).max()! + 2, withPad: " ", startingAt: 0) + commands[$0]!.0.summary }.joined(separator: "\n"))

Every command takes the journal as --journal PATH, or from FLEDGER_JOURNAL.
Environment: FLEDGER_JOURNAL, FLEDGER_ACTOR (who posts), FLEDGER_KEY (the private key that signs
writes, once the journal signs), FLEDGER_CATALOGUE (code catalogue file; the built-in one
otherwise), SOURCE_DATE_EPOCH (fix the recorded time, for reproducible rebuilds),
FLEDGER_NO_PROGRESS (no progress line on a terminal), FLEDGER_TRUST_DIR (where trust pins are kept;
default ${XDG_CONFIG_HOME:-~/.config}/fledger/trust).

Exit status: 0 success; 1 rejected by validation (nothing written); 2 usage error;
3 damaged journal; 4 I/O error; 5 not found; 6 statements do not reconcile.
"""

/// Why writing to standard output failed (a full disk, a closed pipe): the command then exits
/// with status 4 instead of pretending it delivered its output.
nonisolated(unsafe) var outputFailure: String?

/// Standard output is buffered: a command that prints 50,000 lines makes a few dozen writes,
/// not 50,000. The buffer is flushed when it reaches 64 KB, before anything goes to standard
/// error (so the two keep their order on a terminal), and before the command exits.
nonisolated(unsafe) var stdoutBuffer: [UInt8] = []

func write(_ s: String, to fd: Int32) {
    if fd == 1 {
        guard outputFailure == nil else { return }
        stdoutBuffer.append(contentsOf: s.utf8)
        if stdoutBuffer.count >= 1 << 16 { flushStdout() }
        return
    }
    flushStdout()
    _ = writeAll(s, fd: fd)
}

func flushStdout() {
    guard !stdoutBuffer.isEmpty else { return }
    if outputFailure == nil { outputFailure = writeAll(stdoutBuffer, fd: 1) }
    stdoutBuffer.removeAll(keepingCapacity: true)
}

/// Writes all of `bytes` to `fd`: nil when they were written, otherwise why not.
func writeAll(_ bytes: some Collection<UInt8>, fd: Int32) -> String? {
    let failure: String?? = bytes.withContiguousStorageIfAvailable { b in
        var done = 0
        while done < b.count {
            let n = Foundation.write(fd, b.baseAddress! + done, b.count - done)
            if n < 0, errno == EINTR { continue }
            if n < 0 { return String(cString: strerror(errno)) }
            if n == 0 { return "nothing written" }
            done += n
        }
        return nil
    }
    return failure ?? writeAll(Array(bytes), fd: fd)
}

func writeAll(_ text: String, fd: Int32) -> String? {
    var text = text
    return text.withUTF8 { writeAll($0, fd: fd) }
}

func out(_ s: String, terminator: String = "\n") { write(s + terminator, to: 1) }
func err(_ s: String) { write(s + "\n", to: 2) }

func run() -> Exit {
    var args = Array(CommandLine.arguments.dropFirst())
    guard let name = args.first, name != "--help", name != "-h", name != "help" else {
        if args.count > 1, let (spec, _) = commands[args[1]] { out(spec.help()); return .ok }
        out(mainHelp)
        return args.isEmpty ? .usage : .ok
    }
    if name == "--version" { out("fledger 0.1.0"); return .ok }
    args.removeFirst()
    guard let (spec, body) = commands[name] else {
        err("fledger: unknown command '\(name)'; commands: \(order.joined(separator: ", ")). See fledger --help")
        return .usage
    }
    Context.command = name
    do {
        let parsed = try ParsedArgs.parse(args, spec: spec)
        if parsed.wantsHelp { out(spec.help()); return .ok }
        let status = try body(parsed)
        Context.finishProgress()
        flushStdout()
        for s in Context.opened { for n in s.notices.take() { err("fledger \(name): warning: \(n)") } }
        if let reason = outputFailure {
            err("fledger \(name): cannot write to standard output: \(reason)")
            return .io
        }
        return status
    } catch let e as UsageError {
        Context.finishProgress()
        err("fledger \(name): \(e.message)\nSee fledger \(name) --help")
        return .usage
    } catch let f as Failure {
        Context.finishProgress()
        err("fledger \(name): \(f.message)")
        return f.exit
    } catch let j as JournalError {
        Context.finishProgress()
        err("fledger \(name): \(j)")
        return exit(for: j)
    } catch let t as TrustFileError {
        Context.finishProgress()
        err("fledger \(name): \(t)")
        return .damaged
    } catch let c as Catalogue.LoadError {
        Context.finishProgress()
        err("fledger \(name): catalogue: \(c)")
        return .io
    } catch {
        Context.finishProgress()
        err("fledger \(name): \(error)")
        return .io
    }
}

func exit(for j: JournalError) -> Exit {
    switch j {
    case .io, .missing, .exists: return .io
    case .damaged: return .damaged
    }
}

// A closed pipe is an I/O error to report (exit 4), not a signal that kills the process.
signal(SIGPIPE, SIG_IGN)
let status = run()
flushStdout()
exit(status.rawValue)
