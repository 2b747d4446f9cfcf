// swift-tools-version:6.0
import PackageDescription

// Strict settings for every target, in one place (swift-log's habit).
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "fledger",
    products: [
        // Named `fledger`, never `ledger`: ledger-cli owns that name on users' PATHs.
        .executable(name: "fledger", targets: ["CLI"]),
        .executable(name: "fledger-bench", targets: ["Bench"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "Reconcile", targets: ["Reconcile"]),
        .library(name: "Render", targets: ["Render"]),
        .library(name: "Web", targets: ["Web"]),
    ],
    targets: [
        .target(
            name: "Ledger",
            resources: [.copy("Resources/catalogue.tsv"), .copy("Resources/gb18030.txt")],
            swiftSettings: strict
        ),
        .target(name: "Reconcile", dependencies: ["Ledger"], swiftSettings: strict),
        // Renderers both front ends use (tables, the document's HTML, charts); never prints.
        .target(name: "Render", dependencies: ["Ledger", "Reconcile"], swiftSettings: strict),
        // The web front end: an HTTP/1.1 server on loopback and its pages; computes no figure.
        .target(name: "Web", dependencies: ["Ledger", "Reconcile", "Render"], swiftSettings: strict),
        .executableTarget(name: "CLI", dependencies: ["Ledger", "Reconcile", "Render", "Web"], swiftSettings: strict),
        .executableTarget(name: "Bench", dependencies: ["Ledger"], swiftSettings: strict),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "Reconcile"], swiftSettings: strict),
        .testTarget(name: "CLITests", dependencies: ["CLI", "Ledger"], swiftSettings: strict),
        .testTarget(name: "WebTests", dependencies: ["Web", "Ledger", "Reconcile"], swiftSettings: strict),
    ]
)
