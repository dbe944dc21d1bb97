// swift-tools-version:6.0
import PackageDescription

/// Incident Ledger: an append-only, tamper-evident incident log on LMDB.
///
/// Layers, lowest first: the C shims (`CLMDB`, `CCrypto`, `CSystem` for the
/// Linux calls glibc hides from Swift); `LedgerStorage`,
/// which wraps LMDB and knows nothing of incidents; `LedgerCrypto` (SHA-256);
/// `Interchange` (strict JSON, canonical JSON, RFC 3339); `IncidentLedger`, the
/// domain; `CommandLineKit`, a small argument parser; `IncidentsCLI`, one file
/// per command; and the thin `incidents` executable.
let package = Package(
    name: "IncidentLedger",
    products: [
        .executable(name: "incidents", targets: ["incidents"])
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(name: "CSystem"),
        .target(name: "LedgerStorage", dependencies: ["CLMDB", "CSystem"]),
        .target(name: "LedgerCrypto", dependencies: ["CCrypto"]),
        .target(name: "Interchange"),
        .target(
            name: "IncidentLedger",
            dependencies: ["LedgerStorage", "LedgerCrypto", "Interchange", "CSystem"]
        ),
        .target(name: "CommandLineKit"),
        .target(
            name: "IncidentsCLI",
            dependencies: ["IncidentLedger", "CommandLineKit", "Interchange"]
        ),
        .executableTarget(name: "incidents", dependencies: ["IncidentsCLI"]),
        .executableTarget(
            name: "lmdb-append-floor",
            dependencies: ["LedgerStorage"],
            path: "Sources/lmdb-append-floor"
        ),
        .executableTarget(
            name: "ledger-microbench",
            dependencies: ["IncidentLedger", "LedgerCrypto", "Interchange"],
            path: "Sources/ledger-microbench"
        ),
        .testTarget(name: "LedgerStorageTests", dependencies: ["LedgerStorage"]),
        .testTarget(name: "InterchangeTests", dependencies: ["Interchange"]),
        .testTarget(name: "LedgerCryptoTests", dependencies: ["LedgerCrypto"]),
        .testTarget(name: "CommandLineKitTests", dependencies: ["CommandLineKit"]),
        .testTarget(
            name: "IncidentLedgerTests",
            dependencies: ["IncidentLedger", "LedgerCrypto", "LedgerStorage", "Interchange"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "incidents", "IncidentsCLI", "CommandLineKit", "IncidentLedger", "LedgerStorage",
            ]
        ),
    ]
)
