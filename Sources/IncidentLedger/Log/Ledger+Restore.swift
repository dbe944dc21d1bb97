import Glibc
import LedgerStorage

/// What a restore found at the target and what it put there.
public struct RestoreReport: Sendable {
    /// The restored ledger: where it is, its head and tree head, its size.
    public var copy: CopyReport
    /// The head of the ledger that was replaced, or nil when there was none.
    public var replaced: Head?
    /// Where the replaced ledger was left because it could not be removed (it held
    /// other files), or nil.
    public var leftOver: String?
}

extension Ledger {
    /// The key, in `meta`, marking a ledger that a restore has replaced: a writer
    /// that opened it before the swap finds it and writes nothing.
    static let replacedKey = Array("replaced-by-restore".utf8)

    /// Puts the ledger in `backup` at `target`, refusing to lose any record.
    ///
    /// The backup is copied (compacted) into a new directory beside `target`,
    /// flushed, reopened and verified. `target` may be absent, an empty directory,
    /// or a ledger whose every record is in the backup: it must verify, and its head
    /// (position and hash) and tree root must equal the backup's at that position.
    /// Anything else is refused and left as it is. The copy then takes `target`'s
    /// place in one rename (an exchange of the two directories when `target` is a
    /// ledger, made while holding its writer lock, so no write to the old ledger is
    /// lost), keeping the replaced ledger's group and modes.
    /// - Parameters:
    ///   - backup: A ledger directory made by `backup(to:)` (or any ledger).
    ///   - target: Where the ledger is to be; its parent must exist.
    /// - Returns: The restored head and the head it replaced.
    /// - Throws: `LedgerError.missing` without a backup, `.corrupt` when the backup
    ///   does not verify, `.refused` when `target` is not absent, empty or a prefix
    ///   of the backup, `.permissionDenied` when it may not be written or a link is
    ///   in the way, `.storage` otherwise.
    /// - Complexity: O(n) in the backup's size, plus O(m) to verify a target of m records.
    public static func restore(
        from backup: String, into target: String
    ) throws(LedgerError) -> RestoreReport {
        let target = StagedDirectory.trimmed(target)
        let existing = try existingLedger(at: target)
        let sharing: Sharing
        do {
            sharing = existing == nil ? .ownerOnly : try Sharing.of(directory: target)
        } catch {
            throw openFailure(error, path: target, access: .readWrite)
        }

        let stage = try Ledger.staged(target, "restore")
        var report: RestoreReport
        do {
            do {
                let source = try Ledger(path: backup, access: .readOnly)
                try source.environment.copy(to: stage.path, compact: true)
            }
            let copy = try check(copy: stage, sharing: sharing, source: backup)
            report = RestoreReport(
                copy: CopyReport(
                    path: target, head: copy.head, tree: copy.tree, bytes: copy.bytes),
                replaced: nil, leftOver: nil)
            if let existing {
                report.replaced = try existing.replace(with: stage)
            } else {
                try stage.publish()
            }
        } catch {
            try? stage.discard()
            throw wrapCopy(error, path: target)
        }
        if report.replaced != nil {
            do {
                try stage.discard()
            } catch {
                report.leftOver = stage.path
            }
        }
        return report
    }

    /// The ledger at `target` opened for writing, or nil when there is none and the
    /// place is free; refuses a link, a file, or a directory holding other things.
    private static func existingLedger(at target: String) throws(LedgerError) -> Ledger? {
        guard exists(at: target) else {
            try refuseOccupied(target, by: "a restore")
            return nil
        }
        return try Ledger(path: target, access: .readWrite)
    }

    /// Checks that every record of this ledger is in the staged copy, then swaps the
    /// copy into this ledger's place while holding the writer lock; returns this
    /// ledger's head.
    private func replace(with stage: StagedDirectory) throws -> Head {
        let result = try verify()
        if let bad = result.firstBad {
            throw LedgerError.refused(
                "the ledger at \(path) does not verify (position \(bad.position): "
                    + "\(bad.reason)); it is kept as evidence: move it aside and restore "
                    + "into an empty place")
        }
        let staged = try Ledger(path: stage.path, access: .readOnly)
        try staged.refuseUnless(containing: result.head, tree: try treeHead(), of: path)

        var swapped = false
        try environment.write { txn in
            // A writer may have appended since the check: the head must not have moved.
            guard try head(in: txn) == result.head else {
                throw LedgerError.refused(
                    "the ledger at \(path) changed while it was being restored; run the "
                        + "restore again")
            }
            try txn.put(Array("\(Ledger.now())".utf8), forKey: Ledger.replacedKey, in: meta)
            if !swapped {
                try stage.exchange()
                swapped = true
            }
        }
        return result.head
    }

    /// Refuses unless this (the backup's copy) holds `head` at its position and the
    /// same tree up to it.
    private func refuseUnless(
        containing head: Head, tree: TreeHead, of target: String
    ) throws(LedgerError) {
        let own = try self.head()
        guard head.position <= own.position else {
            let dropped =
                head.position == own.position + 1
                ? "record \(head.position)" : "records \(own.position + 1) to \(head.position)"
            throw LedgerError.refused(
                "the ledger at \(target) is ahead of the backup: it has \(head.position) "
                    + "records, the backup \(own.position); restoring would drop \(dropped)")
        }
        guard head.position > 0 else { return }
        let bytes = try recordBytes(at: head.position)
        let ownTree = try treeHead(size: head.position)
        guard let bytes, hasher.digest(bytes) == head.hash, ownTree.root == tree.root else {
            throw LedgerError.refused(
                "the ledger at \(target) has diverged from the backup: its record "
                    + "\(head.position) (hash \(head.hash.hex)) is not the backup's; "
                    + "nothing was changed")
        }
    }

    /// Refuses a write to a ledger that a restore has replaced.
    func refuseIfReplaced(in txn: some ReadableTransaction) throws {
        if try txn.contains(Ledger.replacedKey, in: meta) {
            throw LedgerError.refused(
                "the ledger at \(path) was replaced by 'incidents restore' while this "
                    + "command ran; nothing was written: run it again")
        }
    }
}
