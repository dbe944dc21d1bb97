import Glibc

/// Who besides its owner may use an environment's directory and files, and how.
///
/// The modes are set with `fchmod`, so the process's umask never narrows or
/// widens them:
///
/// | sharing | directory | data.mdb | lock.mdb |
/// |---|---|---|---|
/// | owner only | 0700 | 0600 | 0600 |
/// | group reads | 2750 | 0640 | 0660 |
/// | group writes | 3770 | 0660 | 0660 |
///
/// The lock file is group-writable even for readers: LMDB records every reader
/// in a slot of the lock file, so a reader must write there, although it never
/// writes the data file. The set-group-id bit keeps the group on any file made
/// in the directory later; the sticky bit of a group-writable directory lets only
/// a file's owner remove or rename it, so no member can swap a file for a link.
public struct Sharing: Sendable, Equatable {
    /// The group the environment is shared with, or nil when only its owner may use it.
    public var group: gid_t?
    /// Whether the group may write as well as read.
    public var groupWrites: Bool

    /// Creates a sharing.
    /// - Parameters:
    ///   - group: The group, or nil for the owner only.
    ///   - groupWrites: Whether that group may write.
    public init(group: gid_t?, groupWrites: Bool) {
        self.group = group
        self.groupWrites = group != nil && groupWrites
    }

    /// Readable and writable by the owner only.
    public static let ownerOnly = Sharing(group: nil, groupWrites: false)

    /// The directory's permission bits.
    public var directoryMode: mode_t {
        guard group != nil else { return 0o700 }
        return groupWrites ? 0o3770 : 0o2750
    }

    /// The data file's permission bits.
    public var dataMode: mode_t {
        guard group != nil else { return 0o600 }
        return groupWrites ? 0o660 : 0o640
    }

    /// The lock file's permission bits.
    public var lockMode: mode_t {
        group == nil ? 0o600 : 0o660
    }

    /// The sharing an existing environment directory has: its group when the group
    /// may read the directory, and whether the group may also write the data file.
    /// - Parameter directory: The environment's directory.
    /// - Returns: The sharing, read from the directory's and data file's modes.
    /// - Throws: `StorageError` when the directory cannot be examined.
    public static func of(directory: String) throws(StorageError) -> Sharing {
        let folder = try EnvironmentFiles.status(of: directory)
        guard folder.st_mode & S_IRGRP != 0 else { return .ownerOnly }
        let data = try? EnvironmentFiles.status(of: directory + "/" + EnvironmentFiles.dataFile)
        let writes = (data?.st_mode ?? folder.st_mode) & S_IWGRP != 0
        return Sharing(group: folder.st_gid, groupWrites: writes)
    }
}
