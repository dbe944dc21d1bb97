import Glibc
import IncidentLedger

/// `log --follow`: prints records as other processes append them, until SIGINT or SIGTERM.
///
/// Each round reads at most `batchSize` records in one short read transaction, copying
/// them out, then prints them after the transaction has ended, so that neither a slow
/// reader of the output nor the wait between rounds keeps a snapshot open (an open read
/// transaction stops LMDB from reusing the pages that writers free).
struct LogFollower {
    /// How long to wait before looking again when the log had nothing new.
    static let pollMilliseconds = 100

    /// The most records read in one transaction and printed, then flushed, as one batch.
    static let batchSize = 1_000

    let ledger: Ledger
    let printer: RecordPrinter

    /// Prints records from `first` on, and each new one as it is appended, until
    /// interrupted.
    ///
    /// The signals are held back while a batch is read and printed, so an interrupt
    /// never cuts a record short: everything read is printed and flushed first.
    /// - Parameter first: The first position to print.
    /// - Throws: `LedgerError` when the ledger cannot be read.
    func follow(from first: UInt64) throws {
        let stop = StopSignals()
        defer { stop.restore() }

        var next = first
        while true {
            let batch = try readBatch(from: next)
            for (position, bytes) in batch {
                try bytes.withUnsafeBytes { try printer.print(position: position, bytes: $0) }
            }
            printer.out.flush()
            if let last = batch.last {
                next = last.position + 1
            }

            // A full batch means more may be waiting: only check for a signal.
            let wait = batch.count == Self.batchSize ? 0 : Self.pollMilliseconds
            if stop.wait(milliseconds: wait) {
                return
            }
        }
    }

    /// Copies up to `batchSize` records out of one read transaction.
    private func readBatch(from first: UInt64) throws -> [(position: UInt64, bytes: [UInt8])] {
        var batch: [(position: UInt64, bytes: [UInt8])] = []
        try ledger.forEachRecord(from: first) { position, bytes in
            batch.append((position, Array(bytes)))
            return batch.count < Self.batchSize
        }
        return batch
    }
}

/// SIGINT and SIGTERM held back from the moment this is made, and waited for on demand.
///
/// Blocking the signals and taking them with `sigtimedwait(2)` needs no handler and no
/// global state: the wait between polls is the same call that notices an interrupt.
struct StopSignals {
    private var stopSet = sigset_t()
    private var previousMask = sigset_t()

    init() {
        sigemptyset(&stopSet)
        sigaddset(&stopSet, SIGINT)
        sigaddset(&stopSet, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &stopSet, &previousMask)
    }

    /// Waits up to `milliseconds` for SIGINT or SIGTERM.
    /// - Returns: Whether one arrived, now or while the signals were held back.
    func wait(milliseconds: Int) -> Bool {
        var timeout = timespec(
            tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var signals = stopSet
        while true {
            let received = sigtimedwait(&signals, nil, &timeout)
            if received == SIGINT || received == SIGTERM {
                return true
            }
            // EINTR: another signal (e.g. SIGWINCH) cut the wait short; wait again.
            // The remaining time is not tracked, so a poll may come a little late.
            if received < 0, errno == EINTR {
                continue
            }
            return false
        }
    }

    /// Puts back the signal mask found when this was made.
    func restore() {
        var mask = previousMask
        pthread_sigmask(SIG_SETMASK, &mask, nil)
    }
}
