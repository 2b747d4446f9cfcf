import Foundation
import Glibc
import Ledger
import Reconcile

/// The journal as the server sees it. Pages ask `current()`: when the file has not changed
/// since the last look (its size, modification time and inode), the projection kept in memory
/// answers; when it has, the projection is taken again by `JournalStore.project()`, which reads
/// its saved snapshot and only the lines appended since (as `fledger budget` does). A writer
/// elsewhere (`fledger post`) is seen on the next page load. A damaged journal is a `Damage`,
/// never the old figures. In the background a verifier reads every line (the hash chain and the
/// rules, as `fledger verify`) and proves each year (`fledger reconcile`) whenever the file
/// changed; pages show its latest result with the journal state it was made on.
public final class Books: @unchecked Sendable {
    public let store: JournalStore
    public struct Key: Equatable, Sendable { var size: Int; var mtime: Int; var inode: UInt }

    public struct State: Sendable {
        public let key: Key
        public let projection: Projection
        public let standing: Standing
        public let read: Date
    }

    public struct Damage: Error, Sendable {
        public let line: Int
        public let message: String
    }

    public struct Verification: Sendable {
        public let key: Key
        public let at: Date
        public let result: Result<JournalStore.VerifyReport, Damage>
        public var reconciliations: [Int: Reconciliation] = [:]
        /// The document's warnings per year (texts not written, scores that differ).
        public var warnings: [Int: [String]] = [:]
    }

    private let lock = NSLock()
    private var state: State?
    private var statementsCache: [Int: Statements] = [:]
    private var documentCache: [Int: Document] = [:]
    private var verification: Verification?
    private var verifying = false
    private var stopped = false
    private let verifierDone = DispatchSemaphore(value: 0)
    private var verifierStarted = false

    public init(store: JournalStore) { self.store = store }

    func key() throws(Damage) -> Key {
        var st = stat()
        guard stat(store.path, &st) == 0 else { throw Damage(line: 0, message: "\(store.path): \(String(cString: strerror(errno)))") }
        return Key(size: Int(st.st_size), mtime: Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec), inode: UInt(st.st_ino))
    }

    static func damage(_ e: JournalError) -> Damage {
        if case .damaged(_, let line, _) = e { return Damage(line: line, message: e.description) }
        return Damage(line: 0, message: e.description)
    }

    /// The journal's projection as it stands now.
    public func current() throws(Damage) -> State {
        lock.lock()
        defer { lock.unlock() }
        let k = try key()
        if let s = state, s.key == k {
            if let v = verification, v.key == k, case .failure(let d) = v.result { throw d }
            return s
        }
        do {
            let p = try store.project()
            let standing = try store.standing()
            // The file may have grown while it was read: the state is bound to the key read
            // before, so the next look reads again.
            let s = State(key: k, projection: p, standing: standing, read: Date())
            state = s
            statementsCache = [:]
            documentCache = [:]
            traceCache = [:]
            return s
        } catch {
            state = nil
            throw Self.damage(error)
        }
    }

    /// The thirteen tables of `year`, from the kept projection (built once per journal state).
    public func statements(_ year: Int, _ s: State) -> Statements {
        lock.lock()
        defer { lock.unlock() }
        if state?.key == s.key, let t = statementsCache[year] { return t }
        let t = StatementBuilder.statements(s.projection, year: year, catalogue: store.catalogue)
        if state?.key == s.key { statementsCache[year] = t }
        return t
    }

    /// One whole read at a time for the pages that need one (the document, a trace): fifty
    /// clients asking for the same document wait for the first to make it, then share it.
    private let heavy = NSLock()
    private var traceCache: [String: Trace?] = [:]

    /// The document of `year` (one verified read; kept per journal state).
    public func document(_ year: Int, _ s: State) throws(Damage) -> Document {
        heavy.lock()
        defer { heavy.unlock() }
        lock.lock()
        if state?.key == s.key, let d = documentCache[year] { lock.unlock(); return d }
        lock.unlock()
        let d: Document
        do { d = try Reconciler.document(store, year: year) } catch { throw Self.damage(error) }
        lock.lock()
        if state?.key == s.key { documentCache[year] = d }
        lock.unlock()
        return d
    }

    /// The events behind one cell (`Reconciler.trace`, a whole read; kept per journal state,
    /// the last 256 cells asked for).
    public func trace(year: Int, table: Int, row: String, column: String, _ s: State) throws(Damage) -> Trace? {
        let k = "\(year)/\(table)/\(row)/\(column)"
        heavy.lock()
        defer { heavy.unlock() }
        lock.lock()
        if state?.key == s.key, let t = traceCache[k] { lock.unlock(); return t }
        lock.unlock()
        let t: Trace?
        do { t = try Reconciler.trace(store, year: year, table: table, row: row, column: column) } catch { throw Self.damage(error) }
        lock.lock()
        if state?.key == s.key {
            if traceCache.count >= 256 { traceCache.removeAll() }
            traceCache[k] = t
        }
        lock.unlock()
        return t
    }

    /// Pages made for the current state (and verification), at most 512; cleared when either changes.
    private var pages: [String: HTTPResponse] = [:]
    private var pagesFor: (Key, Int)?
    private var verificationVersion = 0

    public func cachedPage(_ target: String) -> HTTPResponse? {
        guard let k = try? key() else { return nil }
        lock.lock(); defer { lock.unlock() }
        guard let f = pagesFor, f.0 == k, f.1 == verificationVersion else { return nil }
        return pages[target]
    }

    /// Keeps a page made from the state `current()` holds now (not one made before a change).
    public func cachePage(_ target: String, _ r: HTTPResponse) {
        guard let k = try? key() else { return }
        lock.lock(); defer { lock.unlock() }
        guard state?.key == k else { return }
        if pagesFor.map({ $0.0 != k || $0.1 != verificationVersion }) ?? true { pages = [:]; pagesFor = (k, verificationVersion) }
        if pages.count >= 512 { pages.removeAll() }
        pages[target] = r
    }

    public var lastVerification: (Verification?, running: Bool) {
        lock.lock(); defer { lock.unlock() }
        return (verification, verifying)
    }

    /// Starts the background verifier: it looks at the file every `every` seconds and, when
    /// it changed, verifies it and proves each year.
    public func startVerifier(every: Double = 1) {
        lock.lock(); verifierStarted = true; lock.unlock()
        let t = Thread { [self] in
            while true {
                lock.lock(); let stop = stopped; lock.unlock()
                if stop { break }
                if let k = try? key(), lastVerification.0?.key != k { verify(k) }
                for _ in 0..<Int(every * 10) {
                    lock.lock(); let stop = stopped; lock.unlock()
                    if stop { break }
                    usleep(100_000)
                }
            }
            verifierDone.signal()
        }
        t.start()
    }

    /// Stops the verifier; with `wait`, waits for a verification under way to end (a process
    /// about to exit need not: the verifier only reads).
    public func stop(wait: Bool = true) {
        lock.lock(); stopped = true; let started = verifierStarted; lock.unlock()
        if started && wait { verifierDone.wait() }
    }

    func verify(_ k: Key) {
        lock.lock(); verifying = true; verificationVersion += 1; lock.unlock()
        // First the tables of every year (the statements and event pages need them), so the
        // first of those pages after a write does not make them.
        if let s = try? current() { for y in s.projection.years { _ = statements(y, s) } }
        var v: Verification
        do {
            let r = try store.verify()
            v = Verification(key: k, at: Date(), result: .success(r))
            if let p = try? store.project() {
                for y in p.years {
                    if let (_, rec) = try? Reconciler.reconcile(store, year: y) { v.reconciliations[y] = rec }
                    if let d = try? Reconciler.document(store, year: y) {
                        v.warnings[y] = d.warnings
                        // The document of the journal as it still is: the page can have it.
                        lock.lock()
                        if state?.key == k, (try? key()) == k { documentCache[y] = d }
                        lock.unlock()
                    }
                }
            }
        } catch {
            v = Verification(key: k, at: Date(), result: .failure(Self.damage(error)))
        }
        lock.lock()
        // A verification of a file that changed while it ran still says what it found; its
        // key (the state before) tells the pages it is not about the journal as it is now.
        verification = v
        verifying = false
        verificationVersion += 1
        lock.unlock()
    }
}
