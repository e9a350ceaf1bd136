// swift-tools-version:5.9
// The Swift package of witi: the Swift that uniffi generates from libwiti_uniffi
// (Sources/Witi/Witi.swift, committed and checked current by scripts/test-kotlin.sh) over the
// Rust library, which comes as WitiFFI.xcframework built on a Mac (see ../README.md).
import PackageDescription

let package = Package(
    name: "Witi",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "Witi", targets: ["Witi"]),
    ],
    targets: [
        // Built by the README's commands: the Rust library for each Apple target plus
        // Headers/ (WitiFFI.h and module.modulemap).
        .binaryTarget(name: "WitiFFI", path: "WitiFFI.xcframework"),
        .target(
            name: "Witi", dependencies: ["WitiFFI"], path: "Sources/Witi",
            // The static Rust library verifies TLS with the system's trust store
            // (rustls-platform-verifier: Security, CoreFoundation).
            linkerSettings: [.linkedFramework("Security"), .linkedFramework("CoreFoundation")]
        ),
        // Run by the release workflow on macOS (`swift test`): the package links and loads the
        // Rust library, and a call crosses it both ways.
        .testTarget(name: "WitiTests", dependencies: ["Witi"], path: "Tests/WitiTests"),
    ]
)
