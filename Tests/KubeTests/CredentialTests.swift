import Foundation
import HTTP
import Kube
import TestSupport
import Testing

@Suite(.tags(.unit)) struct TokenFileTests {
    @Test func aRotatedTokenIsPickedUpWithinAMinute() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("token", "first\n")
        let world = TestWorld()
        let provider = CredentialProvider(.tokenFile(file), clusterInfo: ExecClusterInfo(server: "https://x", insecureSkipTLSVerify: false), dependencies: world.dependencies())
        #expect(try await provider.material().authorization?.value == "Bearer first")
        try directory.write("token", "second\n")
        world.advance(30)
        #expect(try await provider.material().authorization?.value == "Bearer first")
        world.advance(31)
        #expect(try await provider.material().authorization?.value == "Bearer second")
    }

    @Test func anEmptyTokenFileIsAnError() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("token", "\n")
        let provider = CredentialProvider(.tokenFile(file), clusterInfo: ExecClusterInfo(server: "https://x", insecureSkipTLSVerify: false))
        await #expect(throws: KubeError.credentials("the token file \(file) is empty")) { try await provider.material() }
    }
}

@Suite(.tags(.unit)) struct ExecCredentialParsingTests {
    @Test func aTokenWithExpiry() throws {
        let output = #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"abc","expirationTimestamp":"2023-11-14T22:14:20Z"}}"#
        let credential = try ExecCredentialProtocol.parse(Array(output.utf8), apiVersion: "client.authentication.k8s.io/v1", command: "plugin")
        #expect(credential.token?.value == "abc")
        #expect(credential.expiration == Date(timeIntervalSince1970: 1_700_000_060))
    }

    @Test func aClientCertificateNeedsItsKey() {
        let output = #"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"clientCertificateData":"PEM"}}"#
        #expect(throws: KubeError.credentials("exec plugin \"plugin\" printed a client certificate without its key, or a key without its certificate")) {
            try ExecCredentialProtocol.parse(Array(output.utf8), apiVersion: "client.authentication.k8s.io/v1beta1", command: "plugin")
        }
    }

    @Test func anotherApiVersionThanAskedForIsRefused() {
        let output = #"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"abc"}}"#
        #expect(throws: KubeError.credentials("exec plugin \"plugin\" answered in apiVersion \"client.authentication.k8s.io/v1beta1\", but the kubeconfig asks for \"client.authentication.k8s.io/v1\"")) {
            try ExecCredentialProtocol.parse(Array(output.utf8), apiVersion: "client.authentication.k8s.io/v1", command: "plugin")
        }
    }

    @Test func garbageIsRefusedWithoutQuotingIt() {
        #expect(throws: KubeError.credentials("exec plugin \"plugin\" did not print an ExecCredential as JSON (20 bytes of output)")) {
            try ExecCredentialProtocol.parse(Array("token=s3cr3t-garbage".utf8), apiVersion: "client.authentication.k8s.io/v1", command: "plugin")
        }
    }

    @Test func theExecInfoTellsTheClusterOnlyWhenAsked() {
        #expect(ExecCredentialProtocol.execInfo(apiVersion: "client.authentication.k8s.io/v1", cluster: nil)
            == #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}"#)
        let cluster = ExecClusterInfo(server: "https://k8s.test:6443", certificateAuthorityData: Array("CA".utf8), insecureSkipTLSVerify: false, tlsServerName: nil)
        #expect(ExecCredentialProtocol.execInfo(apiVersion: "client.authentication.k8s.io/v1", cluster: cluster)
            == #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"cluster":{"certificate-authority-data":"Q0E=","server":"https://k8s.test:6443"},"interactive":false}}"#)
    }
}

/// A real plugin: a shell script written by the test, run as kubectl runs plugins.
@Suite(.tags(.process)) struct ExecPluginTests {
    let directory: TemporaryDirectory
    let world = TestWorld()
    let cluster = ExecClusterInfo(server: "https://k8s.test:6443", certificateAuthorityData: nil, insecureSkipTLSVerify: false, tlsServerName: nil)

    init() throws {
        directory = try TemporaryDirectory()
    }

    /// Counts its runs in `runs`, saves what it was told in `info.json`, prints a token that
    /// names the run and $REGION, expiring 60 s after the test clock's start.
    func plugin(apiVersion: String = "client.authentication.k8s.io/v1", exitStatus: Int = 0) throws -> Kubeconfig.ExecConfig {
        let script = try directory.write("bin/plugin.sh", """
        #!/bin/sh
        dir="\(directory.path)"
        n=$(( $(cat "$dir/runs" 2>/dev/null || echo 0) + 1 ))
        echo "$n" > "$dir/runs"
        printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/info.json"
        if [ \(exitStatus) -ne 0 ]; then echo "login required: run 'cloud auth login'" >&2; exit \(exitStatus); fi
        printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"run-%s-%s","expirationTimestamp":"2023-11-14T22:14:20Z"}}' "\(apiVersion)" "$n" "$REGION"
        """, executable: true)
        var exec = Kubeconfig.ExecConfig(command: script, apiVersion: apiVersion)
        exec.env = [(name: "REGION", value: "eu-west")]
        exec.provideClusterInfo = true
        return exec
    }

    func runs() throws -> String {
        try String(contentsOfFile: "\(directory.path)/runs", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func provider(_ exec: Kubeconfig.ExecConfig) -> CredentialProvider {
        CredentialProvider(.exec(exec), clusterInfo: cluster, dependencies: world.dependencies())
    }

    @Test(arguments: ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"])
    func theTokenIsCachedUntilItExpires(apiVersion: String) async throws {
        let provider = provider(try plugin(apiVersion: apiVersion))
        #expect(try await provider.material().authorization?.value == "Bearer run-1-eu-west")
        world.advance(59)
        #expect(try await provider.material().authorization?.value == "Bearer run-1-eu-west")
        #expect(try runs() == "1")
        world.advance(2)
        #expect(try await provider.material().authorization?.value == "Bearer run-2-eu-west")
        let info = try String(contentsOfFile: "\(directory.path)/info.json", encoding: .utf8)
        #expect(info == ExecCredentialProtocol.execInfo(apiVersion: apiVersion, cluster: cluster))
    }

    @Test func concurrentRequestsShareOneRun() async throws {
        let provider = provider(try plugin())
        let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<6 { group.addTask { try await provider.material().authorization?.value } }
            return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
        }
        #expect(tokens == ["Bearer run-1-eu-west"])
        #expect(try runs() == "1")
    }

    @Test func invalidatingRunsThePluginAgain() async throws {
        let provider = provider(try plugin())
        _ = try await provider.material()
        await provider.invalidate()
        #expect(try await provider.material().authorization?.value == "Bearer run-2-eu-west")
    }

    @Test func aFailingPluginSaysWhyInItsOwnWords() async throws {
        let exec = try plugin(exitStatus: 3)
        await #expect(throws: KubeError.credentials("exec plugin \"\(exec.command)\" failed with exit status 3: login required: run 'cloud auth login'")) {
            try await provider(exec).material()
        }
    }

    @Test func aMissingPluginShowsTheInstallHint() async throws {
        var exec = Kubeconfig.ExecConfig(command: "hms-no-such-plugin", apiVersion: "client.authentication.k8s.io/v1")
        exec.installHint = "Install it with: apt-get install hms-no-such-plugin"
        await #expect(throws: KubeError.credentials("exec plugin \"hms-no-such-plugin\" was not found in PATH\nInstall it with: apt-get install hms-no-such-plugin")) {
            try await provider(exec).material()
        }
    }

    @Test func aPluginThatWantsATerminalIsRefused() async throws {
        var exec = try plugin()
        exec.interactiveMode = "Always"
        await #expect(throws: KubeError.self) { try await provider(exec).material() }
        #expect((try? runs()) == nil)
    }

    @Test func aKubeconfigWithAPluginAuthenticatesRequests() async throws {
        let exec = try plugin()
        let file = try directory.write("kubeconfig", """
        current-context: c
        clusters: [{name: c, cluster: {server: "https://k8s.test:6443"}}]
        contexts: [{name: c, context: {cluster: c, user: u}}]
        users:
        - name: u
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: \(exec.command)
              env: [{name: REGION, value: us}]
              interactiveMode: Never
        """)
        let config = try ConfigResolver.resolve(ConfigOverrides(kubeconfig: file), environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
        let transport = FakeTransport([.response(200, TestPod("web").json)])
        let client = KubeClient(config: config, transport: transport, dependencies: world.dependencies())
        _ = try await client.get(TestPod.self, .pods, name: "web")
        #expect(transport.requests.first?.headers["Authorization"] == "Bearer run-1-us")
    }
}
