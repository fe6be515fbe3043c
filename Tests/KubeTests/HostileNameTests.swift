import Foundation
import HTTP
import Kube
import Testing

/// Names from tenants' objects never shape a request: a metric name is checked and encoded as
/// one path segment, and a namespace or name that is not a Kubernetes name is refused before
/// anything is sent.
@Suite(.tags(.unit, .hostile)) struct HostileNameTests {
    let world = TestWorld()

    static let traversal = "../../../../api/v1/namespaces/kube-system/secrets?x="

    @Test func aHostileMetricNameIsRefusedAndCannotLeaveItsSegment() {
        for hostile in [Self.traversal, "rps?watch=true", "rps/../../x", "..", ".", "", "a b", "rps%2F", "rps#frag"] {
            let request = KubeRequest.podCustomMetric(namespace: "web", metric: hostile, timeout: .seconds(10))
            #expect(request.refusal != nil, "\(hostile)")
            // Even unrefused, the name stays one segment: no slash, no query of its own.
            #expect(request.path.hasPrefix("/apis/custom.metrics.k8s.io/v1beta2/namespaces/web/pods/*/"))
            #expect(!request.path.dropFirst("/apis/custom.metrics.k8s.io/v1beta2/namespaces/web/pods/*/".count).contains("/"))
            #expect(request.query.isEmpty && !request.target.contains("?"))
        }
    }

    @Test func aMetricNameOfEitherStyleIsReadWithAShortDeadline() {
        // ':' is legal in a segment, but percent-encoded all the same: the server decodes it.
        let encoded = ["http_requests_per_second": "http_requests_per_second", "job:rps:rate5m": "job%3Arps%3Arate5m",
                       "requests-per-second": "requests-per-second", "queue.depth": "queue.depth"]
        for (name, segment) in encoded {
            let request = KubeRequest.podCustomMetric(namespace: "web", metric: name, timeout: .seconds(10))
            #expect(request.refusal == nil)
            #expect(request.target == "/apis/custom.metrics.k8s.io/v1beta2/namespaces/web/pods/*/\(segment)")
            #expect(request.timeout == .seconds(10))
        }
    }

    @Test func everyVerbRefusesANamespaceOrNameThatIsNotAKubernetesName() {
        let body: [UInt8] = Array("{}".utf8)
        let refused: [KubeRequest] = [
            .get(.deployments, namespace: "../kube-system", name: "web"),
            .get(.deployments, namespace: "team", name: "../../secrets"),
            .get(.deployments, namespace: "team", name: "web?watch=true"),
            .list(.pods, namespace: "team/x"),
            .watch(.pods, namespace: "Team"),
            .create(.services, namespace: "a b", body: body),
            .update(.services, namespace: "team", name: "", body: body),
            .patch(.deployments, namespace: "team", name: "web/scale", type: .merge, body: body),
            .delete(.deployments, namespace: "team", name: ".."),
            .podCustomMetric(namespace: "..", metric: "rps", timeout: .seconds(10)),
        ]
        for request in refused { #expect(request.refusal != nil, "\(request)") }
        #expect(KubeRequest.get(.deployments, namespace: "team", name: "web.v2").refusal == nil)
        #expect(KubeRequest.list(.pods, namespace: nil).refusal == nil)
    }

    @Test func theClientThrowsATypedErrorAndSendsNothing() async throws {
        let transport = FakeTransport([])
        let client = KubeClient(config: ClientConfig(server: "https://k8s.test:6443", credentials: .bearerToken(Secret("t0k3n")), namespace: "team"),
                                transport: transport, dependencies: world.dependencies())
        let error = await #expect(throws: KubeError.self) {
            try await client.send(.podCustomMetric(namespace: "team", metric: Self.traversal, timeout: .seconds(10)))
        }
        guard case .invalidRequest? = error else {
            Issue.record("expected invalidRequest, got \(String(describing: error))")
            return
        }
        #expect(transport.requests.isEmpty)
    }
}
