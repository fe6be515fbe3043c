import Foundation
@testable import Controller
import HTTP
import JSON
import Kube
@testable import Planner
import Synchronization
import Testing

/// An action's intent is in the journal before its request leaves, and its result right after the
/// answer: a crash at any point leaves either nothing sent or a trace of what was.
@Suite(.tags(.unit)) struct ActionJournalTests {
    @Test func theIntentIsJournaledBeforeTheRequestAndTheResultAfter() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = Journal(path: directory.appendingPathComponent("j.jsonl").path)
        let server = JournalWatchingServer(journal: journal)
        var executor = Executor(cluster: ClusterAccess(client: server.client(), fieldManager: "hms-controller"))
        let actionJournal = ActionJournal(journal: journal, actor: "beta", time: "2026-11-26T10:00:00Z")
        actionJournal.attach(to: &executor)
        let deployment: JSONValue = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "gov"], "spec": ["replicas": 12]]
        let action = Action(
            id: "act-1", source: ObjectRef(kind: "ServiceSpec", namespace: "gov", name: "web"),
            target: ObjectRef(kind: "Deployment", namespace: "gov", name: "web"), verb: .scale,
            from: "10", to: "12", requested: nil, reason: "manifest", costDeltaUSDPerHour: 0, gates: [], manifests: [deployment])

        let outcomes = await executor.execute(Plan(actions: [action]))

        #expect(outcomes.map(\.result) == [.done])
        // What the journal held when the request arrived: the intent alone.
        #expect(server.journalAtRequest == [["act-1 intent"]])
        let lines = try journal.readTail().map { "\($0["id"]?.stringValue ?? "") \(Journal.isIntent($0) ? "intent" : $0["result"]?.stringValue ?? "")" }
        #expect(lines == ["act-1 intent", "act-1 done"])
        #expect(actionJournal.journaled.ids == ["act-1"])
    }
}

/// Answers every request 200 and notes, for each, what the journal held at that moment.
final class JournalWatchingServer: KubeTransport {
    let journal: Journal
    private let seen = Mutex<[[String]]>([])

    init(journal: Journal) { self.journal = journal }

    var journalAtRequest: [[String]] { seen.withLock { $0 } }

    func client() -> KubeClient {
        KubeClient(config: ClientConfig(server: "https://k8s.test:6443"), transport: self, retryPolicy: .never)
    }

    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let lines = ((try? journal.readTail()) ?? []).map { "\($0["id"]?.stringValue ?? "") \(Journal.isIntent($0) ? "intent" : $0["result"]?.stringValue ?? "")" }
        seen.withLock { $0.append(lines) }
        return HTTPResponse(status: 200, body: request.body ?? Array("{}".utf8))
    }

    func stream(_ request: HTTPRequest) async throws(HTTPError) -> StreamedResponse {
        throw HTTPError(.invalidRequest, request: request.url, message: "no streams here")
    }

    func useClientCertificate(_ certificate: [UInt8], key: Secret<[UInt8]>) throws(HTTPError) {}
}
