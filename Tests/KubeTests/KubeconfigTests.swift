import Foundation
import HTTP
import Kube
import TestSupport
import Testing

@Suite(.tags(.unit)) struct KubeconfigParsingTests {
    @Test func readsClustersUsersAndContextsWithPathsMadeAbsolute() throws {
        let yaml = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://10.0.0.1:6443
            certificate-authority: certs/ca.crt
        users:
        - name: dev-user
          user:
            client-certificate: /abs/client.crt
            client-key: client.key
            token: abc
        - name: plugin-user
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: ./bin/get-token
              args: [--cluster, dev]
              env: [{name: REGION, value: eu}]
              interactiveMode: Never
        contexts:
        - name: dev
          context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
        preferences: {}
        """
        let config = try Kubeconfig.parse(Array(yaml.utf8), file: "/home/me/.kube/config")
        #expect(config.currentContext == "dev")
        #expect(config.cluster(named: "dev-cluster")?.server == "https://10.0.0.1:6443")
        #expect(config.cluster(named: "dev-cluster")?.certificateAuthority == "/home/me/.kube/certs/ca.crt")
        let user = try #require(config.user(named: "dev-user"))
        #expect(user.clientCertificate == "/abs/client.crt")
        #expect(user.clientKey == "/home/me/.kube/client.key")
        #expect(user.token?.value == "abc")
        let exec = try #require(config.user(named: "plugin-user")?.exec)
        #expect(exec.command == "/home/me/.kube/bin/get-token")
        #expect(exec.args == ["--cluster", "dev"])
        #expect(exec.env.map(\.name) == ["REGION"])
        #expect(exec.interactiveMode == "Never")
        #expect(config.context(named: "dev") == Kubeconfig.Context(cluster: "dev-cluster", user: "dev-user", namespace: "team-a", origin: Kubeconfig.Origin(file: "/home/me/.kube/config", mark: .init(line: 24, column: 3))))
    }

    @Test func aBareExecCommandIsLookedUpInPathNotNextToTheFile() throws {
        let yaml = "users:\n- name: u\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: gke-gcloud-auth-plugin}\n"
        let config = try Kubeconfig.parse(Array(yaml.utf8), file: "/home/me/.kube/config")
        #expect(config.user(named: "u")?.exec?.command == "gke-gcloud-auth-plugin")
    }

    @Test func inlineDataIsDecodedFromBase64() throws {
        let yaml = "clusters:\n- name: c\n  cluster:\n    server: https://x\n    certificate-authority-data: \(Data("PEM".utf8).base64EncodedString())\n"
        let config = try Kubeconfig.parse(Array(yaml.utf8), file: "k")
        #expect(config.cluster(named: "c")?.certificateAuthorityData == Array("PEM".utf8))
    }

    @Test func anEmptyFileIsAnEmptyConfiguration() throws {
        #expect(try Kubeconfig.parse([], file: "k").isEmpty)
        #expect(try Kubeconfig.parse(Array("# nothing\n".utf8), file: "k").isEmpty)
    }

    @Test(arguments: [
        (
            "users:\n- name: me\n  user:\n    token: {value: abc}\n",
            "/cfg/kubeconfig:4:12: error: users[0].user.token: expected a string, found a mapping"
        ),
        (
            "clusters:\n- name: c\n  cluster:\n    server: https://x\n    insecure-skip-tls-verify: \"yes\"\n",
            "/cfg/kubeconfig:5:31: error: clusters[0].cluster.insecure-skip-tls-verify: expected a boolean (true or false), found \"yes\"; write true"
        ),
        (
            "clusters:\n- cluster: {server: https://x}\n",
            "/cfg/kubeconfig:2:3: error: clusters[0].name: a name is required"
        ),
        (
            "clusters: {dev: {server: https://x}}\n",
            "/cfg/kubeconfig:1:11: error: clusters: expected a list, found a mapping"
        ),
        (
            // A block collection is blamed at its key, as in manifests.
            "current-context: dev\nclusters:\n  dev:\n    server: https://x\n",
            "/cfg/kubeconfig:2:1: error: clusters: expected a list, found a mapping"
        ),
        (
            "users:\n- name: u\n  user:\n    client-key-data: not*base64\n",
            "/cfg/kubeconfig:4:22: error: users[0].user.client-key-data: expected base64-encoded data, found something else (10 characters)"
        ),
        (
            "users:\n- name: u\n  user:\n    exec: {command: aws}\n",
            "/cfg/kubeconfig:4:11: error: users[0].user.exec.apiVersion: an exec plugin needs an apiVersion (client.authentication.k8s.io/v1 or v1beta1)"
        ),
        (
            "users:\n- name: u\n  user:\n    exec: {command: aws, apiVersion: client.authentication.k8s.io/v1alpha1}\n",
            "/cfg/kubeconfig:4:38: error: users[0].user.exec.apiVersion: \"client.authentication.k8s.io/v1alpha1\" is not supported; use client.authentication.k8s.io/v1 or v1beta1"
        ),
        (
            "current-context: dev\nclusters:\n- name: c\n  cluster:\n  server: https://x\n   bad: indent\n",
            "/cfg/kubeconfig:6:7: error: mapping values are not allowed in this context; quote a value that contains \": \""
        ),
        (
            "kind: Pod\n",
            "/cfg/kubeconfig:1:7: error: kind: expected \"Config\", found \"Pod\""
        ),
    ])
    func aMalformedFileNamesTheFilePositionAndField(yaml: String, message: String) {
        do {
            _ = try Kubeconfig.parse(Array(yaml.utf8), file: "/cfg/kubeconfig")
            Issue.record("parsed a malformed kubeconfig")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func secretsAreNotPrinted() throws {
        let yaml = "users:\n- name: u\n  user: {token: s3cr3t-token, password: hunter2}\n"
        let config = try Kubeconfig.parse(Array(yaml.utf8), file: "k")
        let printed = "\(String(describing: config.users.first?.user))"
        #expect(!printed.contains("s3cr3t-token"))
        #expect(!printed.contains("hunter2"))
    }

    @Test func mergingKeepsTheFirstDefinitionOfEachNameAndTheFirstCurrentContext() throws {
        let first = try Kubeconfig.parse(Array("""
        clusters:
        - {name: shared, cluster: {server: https://first}}
        contexts:
        - {name: a, context: {cluster: shared, user: u}}
        """.utf8), file: "/one")
        let second = try Kubeconfig.parse(Array("""
        current-context: b
        clusters:
        - {name: shared, cluster: {server: https://second}}
        - {name: only-second, cluster: {server: https://only}}
        contexts:
        - {name: b, context: {cluster: only-second, user: u}}
        """.utf8), file: "/two")
        let third = try Kubeconfig.parse(Array("current-context: c\n".utf8), file: "/three")
        let merged = Kubeconfig.merging([first, second, third])
        #expect(merged.cluster(named: "shared")?.server == "https://first")
        #expect(merged.cluster(named: "only-second")?.server == "https://only")
        #expect(merged.contexts.map(\.name) == ["a", "b"])
        #expect(merged.currentContext == "b")
    }
}
