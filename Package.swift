// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "hms-controller",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hmsctl", targets: ["hmsctl"]),
        .executable(name: "hms-mock-cluster", targets: ["hms-mock-cluster"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // C stays behind this one module; nothing outside `YAML` imports it.
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "YAML", dependencies: ["CLibYAML"]),
        .target(name: "JSON"),
        .target(name: "Model", dependencies: ["JSON"]),
        .target(name: "MockCluster", dependencies: ["JSON", "YAML"]),
        .target(
            name: "MockClusterServer",
            dependencies: [
                "MockCluster",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "hms-mock-cluster",
            dependencies: ["MockClusterServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(name: "Manifests", dependencies: ["YAML", "Model", "JSON"]),
        .target(
            name: "HMSCtlCommands",
            dependencies: [
                "Manifests", "Model", "YAML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "hmsctl", dependencies: ["HMSCtlCommands"]),
        // libFuzzer entry point; built by hack/fuzz.sh with -DFUZZING, otherwise a replay tool.
        .executableTarget(name: "hms-fuzz-decode", dependencies: ["Manifests"]),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"]),
        .testTarget(name: "ModelTests", dependencies: ["Model"]),
        .testTarget(
            name: "ManifestsTests",
            dependencies: ["Manifests", "Model", "YAML"],
            exclude: ["golden", "fuzz-regressions"]
        ),
        .testTarget(name: "HMSCtlTests", dependencies: ["HMSCtlCommands"]),
        .testTarget(name: "MockClusterTests", dependencies: ["MockCluster", "JSON"]),
    ]
)
