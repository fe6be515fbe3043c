import Foundation
import JSON
import MockCluster
import Testing

/// Answers of the pure core that real clients depend on, found by running the official Python
/// client against the mock (Tests/e2e/python).
@Suite(.tags(.unit)) struct FidelityTests {
    let now = Date(timeIntervalSince1970: 1_767_323_045)  // 2026-01-02T03:04:05Z

    func send(_ cluster: inout MockCluster, _ method: String, _ target: String, _ body: JSONValue? = nil) throws -> (Int, JSONValue) {
        let request = APIRequest(method: method, target: target, body: body?.jsonBytes ?? [])
        let response = cluster.handle(request, now: now)
        return (response.status, try JSONValue(parsing: response.bodyBytes))
    }

    func lease(renewTime: JSONValue) -> JSONValue {
        ["metadata": ["name": "leader"], "spec": ["holderIdentity": "a", "renewTime": renewTime, "acquireTime": "2026-01-02T03:04:05.000000Z"]]
    }

    @Test(arguments: [
        ("2026-01-02T03:04:14.123456Z", "2026-01-02T03:04:14.123456Z"),
        ("2026-01-02T05:04:14.123456+02:00", "2026-01-02T03:04:14.123456Z"),
        ("2026-01-01T22:04:14.000001-05:00", "2026-01-02T03:04:14.000001Z"),
    ])
    func leaseMicroTimesAreStoredInUTCWithSixDigits(sent: String, stored: String) throws {
        var cluster = MockCluster(now: now)
        let (status, created) = try send(&cluster, "POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", lease(renewTime: .string(sent)))
        #expect(status == 201)
        #expect(created[path: ["spec", "renewTime"]] == .string(stored))
        let (_, read) = try send(&cluster, "GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases/leader")
        #expect(read[path: ["spec", "renewTime"]] == .string(stored))
    }

    /// Go parses MicroTime with `2006-01-02T15:04:05.000000Z07:00`: Python's `isoformat()` at a whole
    /// second (no fraction) is a 400 from the apiserver, and so are other digit counts.
    @Test(arguments: ["2026-01-02T03:04:14+00:00", "2026-01-02T03:04:14.123Z", "2026-01-02T03:04:14.1234567Z", "2026-01-02 03:04:14.123456Z", "soon"])
    func leaseMicroTimesThatGoCannotParseAreBadRequests(sent: String) throws {
        var cluster = MockCluster(now: now)
        let (status, answer) = try send(&cluster, "POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", lease(renewTime: .string(sent)))
        #expect(status == 400)
        #expect(answer["reason"] == "BadRequest")
        #expect(answer["message"]?.stringValue?.contains("spec.renewTime") == true)
        #expect(cluster.objectCount == MockCluster(now: now).objectCount)
    }

    @Test func anAbsentOrNullMicroTimeStaysSo() throws {
        var cluster = MockCluster(now: now)
        let (status, created) = try send(&cluster, "POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", lease(renewTime: .null))
        #expect(status == 201)
        #expect(created[path: ["spec", "renewTime"]] == .null)
    }

    @Test func deletingMostTypesAnswersWithASuccessStatus() throws {
        var cluster = MockCluster(now: now)
        let (_, created) = try send(&cluster, "POST", "/api/v1/namespaces/default/configmaps", ["metadata": ["name": "settings"]])
        let (status, answer) = try send(&cluster, "DELETE", "/api/v1/namespaces/default/configmaps/settings")
        #expect(status == 200)
        #expect(answer == [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
            "details": ["name": "settings", "group": "", "kind": "configmaps", "uid": created[path: ["metadata", "uid"]] ?? .null],
        ])
        #expect(try send(&cluster, "GET", "/api/v1/namespaces/default/configmaps/settings").0 == 404)
    }

    @Test func deletingAPodAnswersWithThePod() throws {
        var cluster = MockCluster(now: now)
        let pod: JSONValue = ["metadata": ["name": "p"], "spec": ["containers": [["name": "main", "image": "nginx:1.27"]]]]
        _ = try send(&cluster, "POST", "/api/v1/namespaces/default/pods", pod)
        let (status, answer) = try send(&cluster, "DELETE", "/api/v1/namespaces/default/pods/p")
        #expect(status == 200)
        #expect(answer["kind"] == "Pod")
        #expect(answer[path: ["metadata", "name"]] == "p")
    }

    @Test func aDryRunDeleteAnswersTheSameAndKeepsTheObject() throws {
        var cluster = MockCluster(now: now)
        _ = try send(&cluster, "POST", "/api/v1/namespaces/default/configmaps", ["metadata": ["name": "kept"]])
        let (status, answer) = try send(&cluster, "DELETE", "/api/v1/namespaces/default/configmaps/kept?dryRun=All")
        #expect(status == 200)
        #expect(answer["status"] == "Success")
        #expect(try send(&cluster, "GET", "/api/v1/namespaces/default/configmaps/kept").0 == 200)
    }
}
