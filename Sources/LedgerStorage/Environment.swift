import CLMDB
import Glibc

/// An LMDB environment: one directory holding a memory-mapped data file and its
/// lock file, with any number of named databases inside.
///
/// All access goes through closure-scoped transactions: `read(_:)` and
/// `write(_:)`. A transaction handle is valid only inside its closure; a write
/// commits when the closure returns and is rolled back when it throws. Never
/// suspend or hop threads inside a write: LMDB's writer lock belongs to the
/// thread that took it.
///
/// The map grows by itself: when a write finds the map full, the transaction is
/// rolled back, the map is doubled (up to `Options.maximumMapSize`) and the
/// closure runs again from the start, so it must not have side effects outside
/// the transaction that cannot be repeated.
public final class Environment: @unchecked Sendable {
    /// How an environment is opened.
    public struct Options: Sendable {
        /// The map size to start with, in bytes.
        public var initialMapSize: Int = 256 << 20
        /// The map never grows past this; a write that needs more fails with
        /// `StorageError.mapFull`.
        public var maximumMapSize: Int = 1 << 40
        /// How many named databases may be opened.
        public var maximumDatabases: UInt32 = 16
        /// Open for reading only; no write transaction can be begun.
        public var readOnly = false
        /// Permission bits of the files that opening creates.
        public var fileMode: UInt32 = 0o600
        /// Whether each commit waits until the data is on disk. Turning it off
        /// trades the last commits before a system crash for speed.
        public var durable = true

        /// The defaults: a durable, writable environment readable by its owner only.
        public init() {}
    }

    let handle: OpaquePointer
    /// The directory this environment lives in.
    public let path: String
    private let maximumMapSize: Int

    /// Opens the environment in an existing directory, creating its files if absent.
    ///
    /// The directory, data file and lock file are never followed when they are
    /// symbolic links: each is examined first, and after opening, the data file
    /// LMDB mapped must be the file that sits at its name.
    /// - Parameters:
    ///   - path: The directory; it must exist.
    ///   - options: Map size, limits, access mode and durability.
    /// - Throws: `StorageError` when LMDB cannot open the directory (for example
    ///   `ENOENT` when it is missing, `EACCES` without permission), or with code
    ///   `StorageError.symbolicLink` when one of its files is a link.
    public init(path: String, options: Options = Options()) throws(StorageError) {
        // FIXME: LMDB opens lock.mdb by name and follows a link planted there between
        // this check and its open; only the directory's modes (no one but the owner,
        // or with a group-writable ledger the sticky bit) keep others from planting one.
        try EnvironmentFiles.refuseLinks(in: path)
        try EnvironmentFiles.makeMissingLock(in: path)
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "create environment")
        guard let env else {
            throw StorageError(code: 12, operation: "create environment")  // ENOMEM
        }
        var flags = UInt32(MDB_NOTLS)
        if options.readOnly { flags |= UInt32(MDB_RDONLY) }
        if !options.durable { flags |= UInt32(MDB_NOSYNC) }
        do {
            try check(mdb_env_set_maxdbs(env, options.maximumDatabases), "set maxdbs")
            try check(mdb_env_set_mapsize(env, options.initialMapSize), "set map size")
            try check(
                mdb_env_open(env, path, flags, mdb_mode_t(options.fileMode)), "open \(path)")
            try Environment.checkMapped(env, path: path)
            try Environment.checkLength(env, path: path)
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.handle = env
        self.path = path
        self.maximumMapSize = options.maximumMapSize

        // Slots left by readers that were killed would pin old pages for ever.
        var cleared: Int32 = 0
        _ = mdb_reader_check(env, &cleared)
    }

    deinit {
        mdb_env_close(handle)
    }

    /// Checks that the data file LMDB opened is the regular file at its name, not
    /// what a link planted before the open pointed to, and that no link has taken
    /// the lock file's place.
    private static func checkMapped(_ env: OpaquePointer, path: String) throws(StorageError) {
        var descriptor: Int32 = -1
        try check(mdb_env_get_fd(env, &descriptor), "examine \(path)")
        var opened = stat()
        guard fstat(descriptor, &opened) == 0 else {
            throw StorageError(code: errno, operation: "examine \(path)")
        }
        let dataPath = path + "/" + EnvironmentFiles.dataFile
        let named = try EnvironmentFiles.status(of: dataPath)
        guard named.st_dev == opened.st_dev, named.st_ino == opened.st_ino else {
            throw StorageError(
                code: StorageError.symbolicLink, operation: "open \(dataPath)", file: dataPath)
        }
        try EnvironmentFiles.refuseLinks(in: path)
    }

    /// Checks that the data file holds every page the last commit refers to: a
    /// truncated file would be mapped all the same, and reading past its end stops
    /// the process with `SIGBUS` instead of reporting the damage.
    private static func checkLength(_ env: OpaquePointer, path: String) throws(StorageError) {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        try check(mdb_env_info(env, &info), "examine \(path)")
        try check(mdb_env_stat(env, &stat), "examine \(path)")
        var descriptor: Int32 = -1
        try check(mdb_env_get_fd(env, &descriptor), "examine \(path)")
        // The file only grows, so its length read after the meta page is never short
        // of what that meta page needs unless the file was cut.
        var opened = Glibc.stat()
        guard fstat(descriptor, &opened) == 0 else {
            throw StorageError(code: errno, operation: "examine \(path)")
        }
        let needed = (info.me_last_pgno + 1) * Int(stat.ms_psize)
        guard Int(opened.st_size) < needed else { return }
        let dataPath = path + "/" + EnvironmentFiles.dataFile
        throw StorageError(
            code: StorageError.truncated,
            operation: "\(dataPath) is truncated: it is \(opened.st_size) bytes, but its last "
                + "committed page ends at byte \(needed)",
            file: dataPath)
    }

    /// Whether every commit waits until its data and then its meta page are on disk
    /// (neither `MDB_NOSYNC` nor `MDB_NOMETASYNC` nor `MDB_MAPASYNC` is set).
    public var isDurable: Bool {
        var flags: UInt32 = 0
        guard mdb_env_get_flags(handle, &flags) == 0 else { return false }
        let unsynced = UInt32(MDB_NOSYNC) | UInt32(MDB_NOMETASYNC) | UInt32(MDB_MAPASYNC)
        return flags & unsynced == 0
    }

    /// The current size of the memory map, in bytes.
    public var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    /// The process ids of the reader slots in the lock file, live or left by readers
    /// that died, one per slot, in slot order.
    ///
    /// Opening an environment clears the slots of dead processes
    /// (`mdb_reader_check`); this lists them as LMDB holds them, without clearing.
    /// - Returns: Each slot's process id.
    /// - Complexity: O(r) in the number of reader slots.
    public func readerProcesses() -> [Int32] {
        final class Lines { var text = "" }
        let lines = Lines()
        _ = withExtendedLifetime(lines) {
            mdb_reader_list(
                handle,
                { message, context in
                    guard let message, let context else { return 0 }
                    let lines = Unmanaged<Lines>.fromOpaque(context).takeUnretainedValue()
                    lines.text += String(cString: message)
                    return 0
                }, Unmanaged.passUnretained(lines).toOpaque())
        }
        // A header line ("pid thread txnid"), then one line per slot, pid first;
        // "(no active readers)" when there are none.
        return lines.text.split(separator: "\n").compactMap { line in
            line.split(separator: " ").first.flatMap { Int32($0) }
        }
    }

    /// Opens (and with `create`, makes) a named database.
    /// - Parameters:
    ///   - name: The database's name.
    ///   - flags: Its ordering and storage flags; they must match how it was made.
    ///   - create: Make it when it does not exist (needs a writable environment).
    /// - Returns: A handle valid for the life of this environment.
    /// - Throws: `StorageError` with code `StorageError.notFound` when it does not
    ///   exist and `create` is false.
    public func openDatabase(
        _ name: String, flags: DatabaseFlags = [], create: Bool
    ) throws(StorageError) -> Database {
        var txn: OpaquePointer?
        let txnFlags = create ? 0 : UInt32(MDB_RDONLY)
        try beginTransaction(&txn, flags: txnFlags)
        var dbi: MDB_dbi = 0
        var openFlags = flags.rawValue
        if create { openFlags |= UInt32(MDB_CREATE) }
        let rc = mdb_dbi_open(txn, name, openFlags, &dbi)
        if rc != 0 {
            mdb_txn_abort(txn)
            throw StorageError(code: rc, operation: "open database \(name)")
        }
        try check(mdb_txn_commit(txn), "commit open of database \(name)")
        return Database(dbi: dbi)
    }

    /// Runs `body` in a read-only snapshot of the environment.
    /// - Parameter body: Reads through the transaction; it must not let the
    ///   transaction or any buffer it returned escape.
    /// - Returns: What `body` returns.
    /// - Throws: `StorageError` when the snapshot cannot be taken, or what `body` throws.
    public func read<Result>(_ body: (ReadTransaction) throws -> Result) throws -> Result {
        var txn: OpaquePointer?
        try beginTransaction(&txn, flags: UInt32(MDB_RDONLY))
        guard let txn else { throw StorageError(code: 12, operation: "begin read") }
        defer { mdb_txn_abort(txn) }
        return try body(ReadTransaction(txn: txn))
    }

    /// Runs `body` in a write transaction and commits it when `body` returns.
    ///
    /// Writers in every process are serialised by LMDB's writer lock. When the map
    /// is full, the transaction is rolled back, the map grows and `body` runs again.
    /// - Parameter body: Reads and writes through the transaction.
    /// - Returns: What `body` returns.
    /// - Throws: `StorageError` when the transaction cannot begin or commit (on a
    ///   full disk, or when the map has reached its maximum size), or what `body`
    ///   throws; in every case nothing of the transaction is kept.
    public func write<Result>(_ body: (WriteTransaction) throws -> Result) throws -> Result {
        while true {
            var txn: OpaquePointer?
            try beginTransaction(&txn, flags: 0)
            guard let txn else { throw StorageError(code: 12, operation: "begin write") }
            do {
                let result = try body(WriteTransaction(txn: txn))
                try check(mdb_txn_commit(txn), "commit")
                return result
            } catch let error as StorageError where error.code == MDB_MAP_FULL {
                // A failed commit has already freed the transaction; only abort one
                // that is still live (a put that hit the full map).
                if error.operation != "commit" { mdb_txn_abort(txn) }
                try grow(after: error)
            } catch let error as StorageError where error.operation == "commit" {
                throw diskFullIfSo(error)
            } catch {
                mdb_txn_abort(txn)
                throw error
            }
        }
    }

    /// Writes a consistent copy of the environment into an existing, empty directory.
    /// - Parameters:
    ///   - directory: Where the copy goes.
    ///   - compact: Leave out free pages and renumber them, making the copy smaller.
    /// - Throws: `StorageError` when the copy cannot be written.
    public func copy(to directory: String, compact: Bool) throws(StorageError) {
        let flags = compact ? UInt32(MDB_CP_COMPACT) : 0
        try check(mdb_env_copy2(handle, directory, flags), "copy to \(directory)")
    }

    private func beginTransaction(
        _ txn: inout OpaquePointer?, flags: UInt32
    ) throws(StorageError) {
        var rc = mdb_txn_begin(handle, nil, flags, &txn)
        if rc == MDB_MAP_RESIZED {
            // Another process grew the map: adopt its size, then try once more.
            try check(mdb_env_set_mapsize(handle, 0), "adopt map size")
            rc = mdb_txn_begin(handle, nil, flags, &txn)
        }
        try check(rc, flags & UInt32(MDB_RDONLY) != 0 ? "begin read" : "begin write")
    }

    /// The commit failure as `ENOSPC` when it is LMDB's report of a short write
    /// (`EIO`: the file system took only part of a write) and the data file's file
    /// system has less room left than LMDB writes at once (64 pages); else unchanged.
    private func diskFullIfSo(_ error: StorageError) -> StorageError {
        guard error.code == EIO else { return error }
        var descriptor: Int32 = -1
        var info = statvfs()
        guard mdb_env_get_fd(handle, &descriptor) == 0, fstatvfs(descriptor, &info) == 0
        else { return error }
        let room = Int(info.f_bavail) * Int(info.f_frsize)
        guard room < 64 * Int(sysconf(Int32(_SC_PAGESIZE))) else { return error }
        return StorageError(code: ENOSPC, operation: error.operation, file: error.file)
    }

    private func grow(after error: StorageError) throws(StorageError) {
        let current = mapSize
        guard current < maximumMapSize else {
            throw StorageError(
                code: error.code,
                operation: "grow the map past its largest size (\(maximumMapSize) bytes)")
        }
        let next = min(current * 2, maximumMapSize)
        try check(mdb_env_set_mapsize(handle, next), "grow map to \(next) bytes")
    }
}
