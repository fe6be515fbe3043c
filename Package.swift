// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "hms-controller",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hmsctl", targets: ["hmsctl"]),
        .executable(name: "hms-mock-cluster", targets: ["hms-mock-cluster"]),
        .executable(name: "hms-controller", targets: ["hms-controller"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // Exact: hack/gen-proto.sh builds the plugin of this version for the committed generated code.
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        // C stays behind this one module; nothing outside `YAML` imports it.
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "YAML", dependencies: ["CLibYAML", "JSON"]),
        .target(name: "JSON"),
        // Pure: the Common Expression Language subset of CRD validation rules and admission policies.
        .target(name: "CEL", dependencies: ["JSON"]),
        .target(name: "Model", dependencies: ["JSON"]),
        .target(name: "Manifests", dependencies: ["YAML", "Model", "JSON"]),
        // libcurl, with typed wrappers for its variadic calls; nothing outside `HTTP` imports it.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "HTTP",
            dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")]
        ),
        // The Kubernetes API client: configuration, credentials, typed verbs, retries, watch.
        .target(
            name: "Kube",
            dependencies: ["HTTP", "JSON", "YAML", "Model", .product(name: "Logging", package: "swift-log")]
        ),
        // Pure: desired + observed + ledger + now -> Plan; gates; autoscaling math. No I/O, no C.
        .target(name: "Planner", dependencies: ["Model", "JSON"]),
        // The shell around the planner: observe, execute, record (Events, status, journal).
        .target(
            name: "Controller",
            dependencies: [
                "Planner", "Kube", "Manifests", "Model", "JSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The ops console: the page, escaping, access rules, sessions, and its routes (Hummingbird).
        .target(
            name: "Console",
            dependencies: [
                "Controller", "Planner", "Model", "JSON", "Kube",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What the console's and the mock cluster's servers share: the connection cap's count and
        // the header deadline.
        .target(name: "ConnectionGuards", dependencies: [.product(name: "NIOCore", package: "swift-nio")]),
        // The console's transport: connection cap, header timeout, TLS with certificate reload.
        .target(
            name: "ConsoleTransport",
            dependencies: [
                "ConnectionGuards",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .executableTarget(
            name: "hms-controller",
            dependencies: [
                "Console", "ConsoleTransport", "Controller", "JSON", "Kube",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The simulated cluster: a pure request handler, and a SwiftNIO HTTP/1 shell around it.
        // Kubernetes protobuf request bodies as JSON; generated code committed (hack/gen-proto.sh).
        .target(
            name: "KubeProto",
            dependencies: ["JSON", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["proto"]
        ),
        .target(name: "MockCluster", dependencies: ["CEL", "JSON", "YAML", "KubeProto"]),
        .target(
            name: "MockClusterServer",
            dependencies: [
                "ConnectionGuards", "MockCluster", "Model",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "hms-mock-cluster",
            dependencies: [
                "MockCluster", "MockClusterServer", "Model", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "HMSCtlCommands",
            dependencies: [
                "Controller", "HTTP", "JSON", "Kube", "Manifests", "Model", "Planner", "YAML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "hmsctl", dependencies: ["HMSCtlCommands"]),
        // Benchmark of the planner alone (hack/bench-apply.sh).
        .executableTarget(name: "hms-bench-plan", dependencies: ["Planner", "Manifests", "Model", "JSON"]),
        // Request rate of KubeClient, next to wrk: hack/bench-client.sh.
        .executableTarget(
            name: "hms-bench-client",
            dependencies: [
                "Kube", "HTTP", "JSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // CEL verdicts as JSON, for hack/cel-crosscheck.py to compare with cel-python's.
        .executableTarget(name: "hms-cel-eval", dependencies: ["CEL", "JSON"]),
        // libFuzzer entry point; built by hack/fuzz.sh with -DFUZZING, otherwise a replay tool.
        .executableTarget(name: "hms-fuzz-decode", dependencies: ["Manifests"]),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "CELTests", dependencies: ["CEL", "JSON", "YAML"], exclude: ["corpus.json"]),
        .testTarget(name: "ControllerTests", dependencies: ["Controller"]),
        .testTarget(
            name: "ConsoleTests",
            dependencies: [
                "Console", "Controller", "Planner", "Model", "JSON", "Kube", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ConsoleTransportTests",
            dependencies: [
                "ConnectionGuards", "ConsoleTransport", .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "MockClusterTests", dependencies: ["MockCluster", "MockClusterServer", "JSON", "KubeProto"], exclude: ["Fixtures"]),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "Manifests", "Model", "JSON"], exclude: ["Fixtures", "golden"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML", "JSON"]),
        .testTarget(name: "ModelTests", dependencies: ["Model"]),
        .testTarget(
            name: "ManifestsTests",
            dependencies: ["JSON", "Manifests", "Model", "YAML"],
            exclude: ["golden", "fuzz-regressions", "every-field"]
        ),
        .testTarget(
            name: "HMSCtlTests",
            dependencies: ["HMSCtlCommands", "Controller", "Kube", "JSON", "Model", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            exclude: ["autoscale-inputs"]),
        // Live-test helpers: local HTTP(S) servers, certificates, temporary directories, and the
        // mock cluster served in the test process (`LiveCluster`).
        .target(
            name: "TestSupport",
            dependencies: ["HTTP", "JSON", "Kube", "MockClusterServer", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"]),
        .testTarget(name: "KubeTests", dependencies: ["Kube", "HTTP", "Model", "TestSupport"]),
        // The Kube client over libcurl against the mock cluster served in the test process, and
        // the controller's informers built on its watches.
        .testTarget(
            name: "KubeLiveTests",
            dependencies: ["Kube", "HTTP", "JSON", "Model", "Controller", "Planner", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        // The controller's shell (reconciler, loop, informers, executor, autoscale reader, leader
        // election) against the mock cluster served in the test process, on a test clock.
        .testTarget(
            name: "ControllerLiveTests",
            dependencies: ["Controller", "Kube", "JSON", "Model", "Planner", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
    ]
)
