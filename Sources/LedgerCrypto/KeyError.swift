/// Why a key could not be read, made or written: the file (or other source) and
/// what is wrong with it, in words a person can act on.
public struct KeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Problem: Equatable, Sendable {
        /// The file does not exist.
        case missing
        /// The file exists but this user may not read (or create) it.
        case permissionDenied
        /// Reading or writing failed for another reason, given by the system.
        case failed(String)
        /// Refused to replace a file that already exists.
        case exists
        /// A new file cannot be made or written; the text is the system's reason.
        case cannotCreate(String)
        /// The bytes are not a key of the kind expected; the text says what was found.
        case notAKey(String)
        /// A key, but not Ed25519; the text names its algorithm.
        case wrongAlgorithm(String)
        /// libcrypto failed where it should not have; the text is its message.
        case library(String)
    }

    /// The file the key came from or was going to, or a short name of the source
    /// (such as "raw public key") when there is no file.
    public var source: String
    /// What is wrong.
    public var problem: Problem

    /// Creates an error about `source`.
    public init(_ source: String, _ problem: Problem) {
        self.source = source
        self.problem = problem
    }

    /// One line: the source, then the problem.
    public var description: String {
        switch problem {
        case .missing: "\(source): no such file"
        case .permissionDenied: "\(source): permission denied"
        case .failed(let reason): "\(source): \(reason)"
        case .exists: "\(source): already exists; refusing to replace it"
        case .cannotCreate(let reason): "\(source): cannot create: \(reason)"
        case .notAKey(let reason): "\(source): not an Ed25519 key: \(reason)"
        case .wrongAlgorithm(let name): "\(source): a \(name) key, not an Ed25519 key"
        case .library(let reason): "\(source): \(reason)"
        }
    }
}
