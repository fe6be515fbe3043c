import Foundation
import JSON
import KubeProto
import Testing

@testable import MockCluster

/// Protobuf request bodies as kubectl sends them (bytes captured from kubectl 1.32, see
/// Fixtures/protobuf/README.md): decoded into exactly the JSON kubectl would have sent instead.
@Suite(.tags(.unit)) struct ProtobufBodyTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/protobuf")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    static func post(_ harness: inout Harness, _ target: String, fixture: String) throws -> (status: Int, json: JSONValue) {
        let request = APIRequest(
            method: "POST", target: target,
            headers: [
                "content-type": "application/vnd.kubernetes.protobuf", "accept": "application/vnd.kubernetes.protobuf,application/json",
                "user-agent": "kubectl/v1.32.4",
            ],
            body: try bytes("\(fixture).pb"))
        let response = harness.cluster.handle(request, now: harness.now)
        return (response.status, (try? JSONValue(parsing: response.bodyBytes)) ?? .null)
    }

    @Test(arguments: [
        "namespace", "deployment", "deployment-replicas-port", "configmap", "configmap-file", "secret", "secret-binary", "job",
        "service", "serviceaccount", "role", "clusterrole", "rolebinding", "clusterrolebinding",
    ])
    func decodesWhatKubectlSendsIntoTheJSONItWouldSend(_ name: String) throws {
        let decoded = try KubeProtobuf.json(fromEnvelope: Self.bytes("\(name).pb"))
        let expected = try JSONValue(parsing: Self.bytes("\(name).json"))
        #expect(decoded == expected)
    }

    @Test func theReviewsKubectlSendsDecode() throws {
        let review = try KubeProtobuf.json(fromEnvelope: Self.bytes("selfsubjectaccessreview.pb"))
        #expect(review == [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "metadata": ["creationTimestamp": nil],
            "spec": ["resourceAttributes": ["namespace": "default", "verb": "create", "group": "apps", "resource": "deployments"]],
            "status": ["allowed": false],
        ])
        let whoami = try KubeProtobuf.json(fromEnvelope: Self.bytes("selfsubjectreview.pb"))
        #expect(whoami == [
            "apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview", "metadata": ["creationTimestamp": nil],
            "status": ["userInfo": [:]],
        ])
        let token = try KubeProtobuf.json(fromEnvelope: Self.bytes("tokenrequest.pb"))
        #expect(token == [
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "metadata": ["creationTimestamp": nil], "spec": [:],
            "status": ["token": "", "expirationTimestamp": nil],
        ])
    }

    @Test func theTokenRequestOfCreateTokenAndAnAggregatedClusterRoleDecode() throws {
        let token = try KubeProtobuf.json(fromEnvelope: Self.bytes("tokenrequest-audience.pb"))
        #expect(token["spec"] == ["audiences": ["api"], "expirationSeconds": 600])
        let role = try KubeProtobuf.json(fromEnvelope: Self.bytes("clusterrole-aggregation.pb"))
        #expect(role["aggregationRule"] == ["clusterRoleSelectors": [["matchLabels": ["a": "b"]]]])
    }

    @Test func kubectlCreateNamespaceAndDeploymentAreStored() throws {
        var harness = Harness()
        #expect(try Self.post(&harness, "/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict", fixture: "namespace").status == 201)
        #expect(harness.get("/api/v1/namespaces/x")["status"]?["phase"] == "Active")
        let created = try Self.post(
            &harness, "/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create&fieldValidation=Strict", fixture: "deployment")
        #expect(created.status == 201)
        let stored = harness.get("/apis/apps/v1/namespaces/default/deployments/web")
        #expect(stored[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"] == "nginx")
        #expect(stored[path: ["spec", "selector", "matchLabels", "app"]] == "web")
    }

    @Test func secretBytesArriveAsBase64() throws {
        let secret = try KubeProtobuf.json(fromEnvelope: Self.bytes("secret-binary.pb"))
        #expect(secret["data"] == ["bin": "AQI=", "k": "dg=="])
    }

    @Test func aKindWithoutAProtobufFormIsRefusedWith415() throws {
        var harness = Harness()
        let answer = try Self.post(&harness, "/api/v1/namespaces/default/configmaps", fixture: "resourcequota")
        #expect(answer.status == 415)
        #expect(answer.json["reason"] == "UnsupportedMediaType")
    }

    @Test func aFieldTheMockDoesNotKnowIsRefusedNotDropped() throws {
        // The namespace body with one more field in its ObjectMeta: number 15, which no .proto here declares.
        var body = try Self.bytes("namespace.pb")
        body = Self.addingField(15, to: body)
        #expect(throws: ProtobufBodyError.unknownField(message: "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta", number: 15)) {
            try KubeProtobuf.json(fromEnvelope: body)
        }
        var harness = Harness()
        let request = APIRequest(
            method: "POST", target: "/api/v1/namespaces", headers: ["content-type": "application/vnd.kubernetes.protobuf"], body: body)
        let response = harness.cluster.handle(request, now: harness.now)
        #expect(response.status == 501)
    }

    @Test func bytesThatAreNotAnEnvelopeAreABadRequest() {
        var harness = Harness()
        let request = APIRequest(
            method: "POST", target: "/api/v1/namespaces", headers: ["content-type": "application/vnd.kubernetes.protobuf"],
            body: Array(#"{"metadata":{"name":"x"}}"#.utf8))
        let response = harness.cluster.handle(request, now: harness.now)
        #expect(response.status == 400)
        #expect(harness.send("GET", "/api/v1/namespaces/x").status == 404)
    }

    /// Rewrites a captured envelope so the object's ObjectMeta carries an extra string field.
    static func addingField(_ number: Int, to envelope: [UInt8]) -> [UInt8] {
        // Layout (all lengths under 128 here): magic, Unknown{1: TypeMeta, 2: raw{1: ObjectMeta, ...}, ...}.
        var unknown = Array(envelope.dropFirst(4))
        let typeMetaEnd = 2 + Int(unknown[1])
        precondition(unknown[typeMetaEnd] == 0x12)
        let rawLength = Int(unknown[typeMetaEnd + 1])
        var raw = Array(unknown[(typeMetaEnd + 2)..<(typeMetaEnd + 2 + rawLength)])
        precondition(raw[0] == 0x0a)
        let extra: [UInt8] = [UInt8(number << 3 | 2), 1, UInt8(ascii: "!")]
        raw[1] += UInt8(extra.count)
        raw.insert(contentsOf: extra, at: 2)
        unknown.replaceSubrange((typeMetaEnd + 1)..<(typeMetaEnd + 2 + rawLength), with: [UInt8(raw.count)] + raw)
        return Array(envelope.prefix(4)) + unknown
    }
}
