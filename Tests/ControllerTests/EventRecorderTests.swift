import Foundation
@testable import Controller
import HTTP
import JSON
import Kube
@testable import Planner
import Synchronization
import Testing

/// Events as client-go records them: one per decision, counted when it repeats, patched at most
/// once per interval, and a carried-out action's Event apart from its held one.
@Suite(.tags(.unit)) struct EventRecorderTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let web = ObjectRef(kind: "ServiceSpec", namespace: "gov", name: "web")

    func event(_ name: String = "web.a1.held") -> EventRecorder.Event {
        EventRecorder.Event(about: web, uid: nil, name: name, type: "Normal", reason: "ActionHeld", message: "scale Deployment web 10 → 12 (a1)")
    }

    func outcome(_ result: ActionOutcome.Result) -> ActionOutcome {
        let action = Action(
            id: "a1", source: web, target: ObjectRef(kind: "Deployment", namespace: "gov", name: "web"), verb: .scale,
            from: "10", to: "12", requested: nil, reason: "manifest", costDeltaUSDPerHour: 0,
            gates: [GateVerdict(gate: "governance", verdict: .hold, reason: "[max-replicas] 12 replicas need approval above 10")], manifests: [])
        return ActionOutcome(action: action, result: result)
    }

    @Test func aNewEventIsCreatedARepeatIsCountedAndPatchedOncePerInterval() {
        let recorded = EventRecorder.Recorded(count: 1, writtenCount: 1, lastWritten: start, lastSeen: start)
        #expect(EventRecorder.decide(nil, now: start, patchInterval: 300).0 == .create)
        let (soon, counted) = EventRecorder.decide(recorded, now: start + 1, patchInterval: 300)
        #expect(soon == .none)
        #expect(counted?.count == 2)
        let (later, _) = EventRecorder.decide(counted, now: start + 300, patchInterval: 300)
        #expect(later == .patch(count: 3))
        // A clock set back does not hold the count back for ever.
        #expect(EventRecorder.decide(recorded, now: start - 60, patchInterval: 300).0 == .patch(count: 2))
    }

    @Test func theCacheIsBoundedAndForgetsTheLeastRecentlySeen() {
        let recorder = EventRecorder(patchInterval: 300, capacity: 2)
        recorder.wrote(event("a"), count: 1, now: start)
        recorder.wrote(event("b"), count: 1, now: start + 1)
        _ = recorder.next(event("a"), now: start + 2)  // seen again: b is now the oldest
        recorder.wrote(event("c"), count: 1, now: start + 3)
        #expect(recorder.remembered == 2)
        #expect(recorder.next(event("b"), now: start + 4) == .create)
        #expect(recorder.next(event("a"), now: start + 5) == .none)
    }

    @Test func heldAndDoneAreEventsOfTheirOwn() {
        let held = Reconciler.event(for: outcome(.notCarriedOut(.hold)), uid: nil)
        let done = Reconciler.event(for: outcome(.done), uid: nil)
        #expect(held.name == "web.a1.held")
        #expect(held.reason == "ActionHeld")
        #expect(done.name == "web.a1.done")
        #expect(done.reason == "Scaled")
    }

    @Test func longNamesAreShortenedToAValidName() {
        let name = EventRecorder.name(String(repeating: "a", count: 240) + "-" + String(repeating: "b", count: 20), "0123456789abcdef.held")
        #expect(name.count <= 253)
        #expect(name.hasSuffix("a.0123456789abcdef.held"))
    }

    @Test func aDecisionRepeatedOverManyPassesIsPostedOnceAndPatchedPerInterval() async {
        let server = EventServer()
        let cluster = ClusterAccess(client: server.client(), fieldManager: "hms-controller")
        let recorder = EventRecorder(patchInterval: 300, capacity: 16)
        for second in 0..<100 { await recorder.record(event(), cluster: cluster, now: start + Double(second)) }
        #expect(server.log == ["POST /api/v1/namespaces/gov/events"])
        await recorder.record(event(), cluster: cluster, now: start + 300)
        #expect(server.log.last == "PATCH /api/v1/namespaces/gov/events/web.a1.held")
        #expect(server.stored["web.a1.held"]?["count"] == 101)
    }

    @Test func anIncidentSeenAgainIsNotARepeat() async {
        let server = EventServer()
        server.stored["web.a1.held"] = ["count": 1]
        let cluster = ClusterAccess(client: server.client(), fieldManager: "hms-controller")
        let recorder = EventRecorder()
        var incident = event()
        incident.countsRepeats = false
        for second in [0.0, 1, 600] { await recorder.record(incident, cluster: cluster, now: start + second) }
        #expect(server.log == ["POST /api/v1/namespaces/gov/events"])
        #expect(server.stored["web.a1.held"]?["count"] == 1)
    }

    @Test func afterARestartAnEventThatExistsIsPatchedNotIgnored() async {
        let server = EventServer()
        server.stored["web.a1.held"] = ["count": 7]
        let cluster = ClusterAccess(client: server.client(), fieldManager: "hms-controller")
        await EventRecorder().record(event(), cluster: cluster, now: start)
        #expect(server.log == [
            "POST /api/v1/namespaces/gov/events", "GET /api/v1/namespaces/gov/events/web.a1.held",
            "PATCH /api/v1/namespaces/gov/events/web.a1.held",
        ])
        #expect(server.stored["web.a1.held"]?["count"] == 8)
    }
}

/// Events in memory, served as the API does: create (409 when the name exists), get, merge patch.
final class EventServer: KubeTransport {
    private let state = Mutex<(stored: [String: JSONValue], log: [String])>(([:], []))

    var log: [String] { state.withLock { $0.log } }
    var stored: [String: JSONValue] {
        get { state.withLock { $0.stored } }
        set { state.withLock { $0.stored = newValue } }
    }

    func client() -> KubeClient {
        KubeClient(config: ClientConfig(server: "https://k8s.test:6443"), transport: self, retryPolicy: RetryPolicy(maxAttempts: 1))
    }

    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let path = String(request.url.dropFirst("https://k8s.test:6443".count).prefix { $0 != "?" })
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        let body = request.body.flatMap { try? JSONValue(parsing: $0) }
        return state.withLock { state in
            state.log.append("\(request.method.rawValue) \(path)")
            switch request.method.rawValue {
            case "POST":
                guard let created = body, let name = created[path: ["metadata", "name"]]?.stringValue else { return HTTPResponse(status: 400) }
                guard state.stored[name] == nil else {
                    return HTTPResponse(status: 409, body: Array(#"{"kind":"Status","status":"Failure","reason":"AlreadyExists","code":409}"#.utf8))
                }
                state.stored[name] = created
                return HTTPResponse(status: 201, body: created.jsonBytes)
            case "GET":
                guard let stored = state.stored[name] else { return HTTPResponse(status: 404, body: Array(#"{"kind":"Status","reason":"NotFound","code":404}"#.utf8)) }
                return HTTPResponse(status: 200, body: stored.jsonBytes)
            case "PATCH":
                guard var stored = state.stored[name]?.objectValue else { return HTTPResponse(status: 404, body: Array(#"{"kind":"Status","reason":"NotFound","code":404}"#.utf8)) }
                for (key, value) in body?.objectValue ?? [:] { stored[key] = value }
                state.stored[name] = .object(stored)
                return HTTPResponse(status: 200, body: JSONValue.object(stored).jsonBytes)
            default:
                return HTTPResponse(status: 405)
            }
        }
    }

    func stream(_ request: HTTPRequest) async throws(HTTPError) -> StreamedResponse {
        throw HTTPError(.invalidRequest, request: request.url, message: "no streams here")
    }

    func useClientCertificate(_ certificate: [UInt8], key: Secret<[UInt8]>) throws(HTTPError) {}
}
