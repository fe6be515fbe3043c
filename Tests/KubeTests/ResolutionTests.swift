import Foundation
import HTTP
import Kube
import TestSupport
import Testing

/// Resolution order, merging, overrides and in-cluster configuration, on files in a temporary
/// directory and an environment the test sets.
@Suite(.tags(.unit)) struct ResolutionTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    func kubeconfig(server: String, context: String = "main", namespace: String? = nil, user: String = "token: file-token") -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: \(context)
        clusters:
        - name: \(context)-cluster
          cluster: {server: "\(server)"}
        users:
        - name: \(context)-user
          user: {\(user)}
        contexts:
        - name: \(context)
          context: {cluster: \(context)-cluster, user: \(context)-user\(namespace.map { ", namespace: \($0)" } ?? "")}
        """
    }

    func environment(_ variables: [String: String] = [:], home: Bool = true) -> ConfigEnvironment {
        ConfigEnvironment(variables: variables, homeDirectory: home ? "\(directory.path)/home" : nil, serviceAccountDirectory: "\(directory.path)/serviceaccount")
    }

    func writeServiceAccount(token: String = "sa-token") throws {
        try directory.write("serviceaccount/token", token)
        try directory.write("serviceaccount/ca.crt", "-----BEGIN CERTIFICATE-----\n")
        try directory.write("serviceaccount/namespace", "payments\n")
    }

    let inClusterVariables = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

    @Test func theFlagBeatsTheVariableWhichBeatsTheHomeFile() throws {
        let flag = try directory.write("flag.yaml", kubeconfig(server: "https://flag"))
        let variable = try directory.write("variable.yaml", kubeconfig(server: "https://variable"))
        try directory.write("home/.kube/config", kubeconfig(server: "https://home"))
        let env = environment(["KUBECONFIG": variable])
        #expect(try ConfigResolver.resolve(ConfigOverrides(kubeconfig: flag), environment: env).server == "https://flag")
        #expect(try ConfigResolver.resolve(ConfigOverrides(), environment: env).server == "https://variable")
        #expect(try ConfigResolver.resolve(ConfigOverrides(), environment: environment()).server == "https://home")
        #expect(try ConfigResolver.resolve(ConfigOverrides(), environment: environment(["KUBECONFIG": ""])).server == "https://home")
    }

    @Test func aKubeconfigBeatsInClusterConfiguration() throws {
        try writeServiceAccount()
        try directory.write("home/.kube/config", kubeconfig(server: "https://home"))
        #expect(try ConfigResolver.resolve(environment: environment(inClusterVariables)).server == "https://home")
    }

    @Test func theVariablesFilesAreMergedFirstWins() throws {
        let one = try directory.write("one.yaml", """
        clusters:
        - {name: shared, cluster: {server: "https://one"}}
        users:
        - {name: u, user: {token: one}}
        contexts:
        - {name: from-one, context: {cluster: shared, user: u, namespace: ns-one}}
        """)
        let two = try directory.write("two.yaml", """
        current-context: from-two
        clusters:
        - {name: shared, cluster: {server: "https://two"}}
        contexts:
        - {name: from-two, context: {cluster: shared, user: u}}
        """)
        let config = try ConfigResolver.resolve(environment: environment(["KUBECONFIG": "\(one)::\(directory.path)/missing.yaml:\(two)"]))
        #expect(config.server == "https://one")
        #expect(config.credentials == .bearerToken(Secret("one")))
        #expect(config.namespace == "default")
        #expect(config.source == "kubeconfig \(one):\(two), context \"from-two\"")
        let chosen = try ConfigResolver.resolve(ConfigOverrides(context: "from-one"), environment: environment(["KUBECONFIG": "\(one):\(two)"]))
        #expect(chosen.namespace == "ns-one")
    }

    @Test func aMissingExplicitFileIsAnError() {
        #expect(throws: ConfigError(source: "\(directory.path)/nope.yaml", message: "no such file")) {
            try ConfigResolver.resolve(ConfigOverrides(kubeconfig: "\(directory.path)/nope.yaml"), environment: environment())
        }
    }

    @Test func aMalformedFileInTheVariableIsAnErrorNotAFallThrough() throws {
        let bad = try directory.write("bad.yaml", "clusters:\n- name: c\n  cluster: [oops]\n")
        try directory.write("home/.kube/config", kubeconfig(server: "https://home"))
        #expect(throws: ConfigError(source: bad, mark: .init(line: 3, column: 12), field: "clusters[0].cluster", message: "expected a mapping, found a list")) {
            try ConfigResolver.resolve(environment: environment(["KUBECONFIG": bad]))
        }
    }

    @Test func inClusterConfigurationComesFromTheServiceAccountDirectory() throws {
        try writeServiceAccount()
        let config = try ConfigResolver.resolve(environment: environment(inClusterVariables))
        #expect(config.server == "https://10.96.0.1:443")
        #expect(config.namespace == "payments")
        #expect(config.credentials == .tokenFile("\(directory.path)/serviceaccount/token"))
        #expect(config.tls == TLSConfiguration(certificateAuthority: .file("\(directory.path)/serviceaccount/ca.crt")))
        #expect(config.source == "in-cluster (service account in \(directory.path)/serviceaccount)")
    }

    @Test func anIPv6ServiceHostIsBracketed() throws {
        try writeServiceAccount()
        let config = try ConfigResolver.resolve(environment: environment(["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"]))
        #expect(config.server == "https://[fd00::1]:6443")
    }

    @Test func inClusterWithoutItsCAIsAnErrorNamingTheFile() throws {
        try directory.write("serviceaccount/token", "t")
        #expect(throws: ConfigError(source: "\(directory.path)/serviceaccount/ca.crt", message: "the service-account CA certificate cannot be read")) {
            try ConfigResolver.resolve(environment: environment(inClusterVariables))
        }
    }

    @Test func nothingAtAllIsAnErrorThatSaysWhatWasTried() {
        #expect(throws: ConfigError(source: "configuration", message: "no configuration found: no --kubeconfig, $KUBECONFIG is not set, no \(directory.path)/home/.kube/config, not in a cluster (KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT and \(directory.path)/serviceaccount/token are not all there)")) {
            try ConfigResolver.resolve(environment: environment())
        }
    }

    @Test func anUnknownContextIsAnError() throws {
        let file = try directory.write("k.yaml", kubeconfig(server: "https://x"))
        #expect(throws: ConfigError(source: "--context", message: "context \"prod\" does not exist (contexts: \"main\")")) {
            try ConfigResolver.resolve(ConfigOverrides(kubeconfig: file, context: "prod"), environment: environment())
        }
    }

    @Test func aContextNamingAMissingClusterPointsAtTheContext() throws {
        let file = try directory.write("k.yaml", "current-context: c\ncontexts:\n- name: c\n  context: {cluster: gone, user: u}\n")
        #expect(throws: ConfigError(source: file, mark: .init(line: 3, column: 3), field: "context \"c\"", message: "cluster \"gone\" is not defined")) {
            try ConfigResolver.resolve(ConfigOverrides(kubeconfig: file), environment: environment())
        }
    }

    @Test func flagsOverrideServerTokenAndNamespace() throws {
        let file = try directory.write("k.yaml", kubeconfig(server: "https://x", namespace: "team"))
        let config = try ConfigResolver.resolve(ConfigOverrides(kubeconfig: file, namespace: "other", server: "https://y:6443/", token: "flag-token"), environment: environment())
        #expect(config.server == "https://y:6443")
        #expect(config.namespace == "other")
        #expect(config.credentials == .bearerToken(Secret("flag-token")))
    }

    @Test func proxyURLAndTLSServerNameAreCarriedThrough() throws {
        let file = try directory.write("k.yaml", """
        current-context: c
        clusters: [{name: c, cluster: {server: "https://x", proxy-url: "socks5://127.0.0.1:1080", tls-server-name: api.internal}}]
        contexts: [{name: c, context: {cluster: c}}]
        """)
        let config = try ConfigResolver.resolve(ConfigOverrides(kubeconfig: file), environment: environment())
        #expect(config.proxyURL == "socks5://127.0.0.1:1080")
        #expect(config.tlsServerName == "api.internal")
        let logs = CapturedLogs()
        _ = try KubeClient(config: config, logger: logs.logger)
        #expect(logs.text.contains("tls-server-name is not supported"))
    }

    @Test func aServerFlagAloneIsEnough() throws {
        let config = try ConfigResolver.resolve(ConfigOverrides(server: "127.0.0.1:6443", token: "t"), environment: environment())
        #expect(config.server == "https://127.0.0.1:6443")
        #expect(config.credentials == .bearerToken(Secret("t")))
    }

    @Test func credentialsAreNotSentOverPlainHTTPAsKubectl() throws {
        let file = try directory.write("k.yaml", kubeconfig(server: "http://127.0.0.1:8080"))
        #expect(try ConfigResolver.resolve(ConfigOverrides(kubeconfig: file), environment: environment()).credentials == .none)
    }

    @Test func aCAWithInsecureSkipIsAnErrorUnlessTheFlagSaysSo() throws {
        try directory.write("ca.crt", "PEM")
        let file = try directory.write("k.yaml", """
        current-context: c
        clusters:
        - name: c
          cluster:
            server: https://x
            certificate-authority: ca.crt
            insecure-skip-tls-verify: true
        contexts:
        - {name: c, context: {cluster: c}}
        """)
        #expect(throws: ConfigError(source: file, mark: .init(line: 7, column: 31), field: "insecure-skip-tls-verify", message: "a certificate authority and insecure-skip-tls-verify cannot both be set")) {
            try ConfigResolver.resolve(ConfigOverrides(kubeconfig: file), environment: environment())
        }
        let flagged = try ConfigResolver.resolve(ConfigOverrides(kubeconfig: file, insecureSkipTLSVerify: true), environment: environment())
        #expect(flagged.tls == TLSConfiguration(insecureSkipVerify: true))
    }

    @Test func anUnreadableClientKeyIsAnErrorAtItsField() throws {
        try directory.write("client.crt", "PEM")
        let file = try directory.write("k.yaml", kubeconfig(server: "https://x", user: "client-certificate: client.crt, client-key: missing.key"))
        #expect(throws: ConfigError(source: file, mark: .init(line: 9, column: 54), field: "client-key", message: "\(directory.path)/missing.key cannot be read")) {
            try ConfigResolver.resolve(ConfigOverrides(kubeconfig: file), environment: environment())
        }
    }

    @Test func clientCertificatesAndTokenFilesResolveRelativeToTheFile() throws {
        try directory.write("conf/client.crt", "CERT")
        try directory.write("conf/client.key", "KEY")
        try directory.write("conf/token", "t")
        let file = try directory.write("conf/k.yaml", kubeconfig(server: "https://x", user: "client-certificate: client.crt, client-key: client.key, tokenFile: token"))
        let config = try ConfigResolver.resolve(ConfigOverrides(kubeconfig: file), environment: environment())
        #expect(config.tls.clientCertificate == .file("\(directory.path)/conf/client.crt"))
        #expect(config.tls.clientKey == .file("\(directory.path)/conf/client.key"))
        #expect(config.credentials == .tokenFile("\(directory.path)/conf/token"))
    }
}
