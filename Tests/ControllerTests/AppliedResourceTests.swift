import Controller
import JSON
import Model
import Testing

/// What `hmsctl apply` takes as stored after a server-side apply: the sent resource with the
/// server's metadata, unless the stored object differs in what the client wrote.
@Suite(.tags(.unit)) struct AppliedResourceTests {
    let sent = ServiceSpec(metadata: ObjectMeta(name: "web", namespace: "gov", labels: ["team": "a"]), spec: .init(image: "registry.gov/web:1", replicas: 2))

    func answer(_ change: (inout JSONValue) -> Void = { _ in }) -> (JSONValue, JSONValue) {
        let object = ClusterAccess.json(of: sent)
        var answer = object
        answer["metadata"]?["uid"] = "u-1"
        answer["metadata"]?["resourceVersion"] = "17"
        answer["metadata"]?["generation"] = 1
        answer["metadata"]?["creationTimestamp"] = "2026-11-26T12:00:00Z"
        change(&answer)
        return (object, answer)
    }

    @Test func theSentResourceIsCompletedWithTheServersMetadata() throws {
        let (object, answer) = answer()
        let stored = try #require(try ClusterAccess.completed(sent, sent: object, answer: answer))
        #expect(stored.metadata.uid == "u-1")
        #expect(stored.metadata.resourceVersion == "17")
        #expect(stored.metadata.generation == 1)
        #expect(stored.metadata.creationTimestamp == "2026-11-26T12:00:00Z")
        #expect(stored.spec == sent.spec)
        #expect(stored.status == nil)
    }

    @Test func theStoredStatusIsKept() throws {
        let (object, answer) = answer { $0["status"] = ["replicas": 2, "readyReplicas": 1] }
        let stored = try #require(try ClusterAccess.completed(sent, sent: object, answer: answer))
        #expect(stored.status?.readyReplicas == 1)
    }

    @Test(arguments: [["spec", "port"], ["metadata", "labels", "injected"], ["metadata", "annotations", "by-webhook"]])
    func anythingAddedToWhatTheClientWroteMeansDecodingTheAnswer(path: [String]) throws {
        let (object, answer) = answer { $0[path: path] = path == ["spec", "port"] ? 8080 : "yes" }
        #expect(try ClusterAccess.completed(sent, sent: object, answer: answer) == nil)
    }
}
