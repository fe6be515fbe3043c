import Foundation
import JSON
@testable import MockCluster
@testable import MockClusterServer
import Testing

/// `--state FILE` keeps the stored objects across restarts: saved beside and renamed into place.
@Suite(.tags(.unit)) struct StatePersistenceTests {
    func configMap(_ name: String) -> APIRequest {
        let body: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": ["k": "v"]]
        return APIRequest(method: "POST", target: "/api/v1/namespaces/default/configmaps",
                          headers: ["content-type": "application/json", "accept": "application/json"], body: body.jsonBytes)
    }

    func status(_ server: MockClusterServer, _ request: APIRequest) -> Int {
        server.cluster.withLock { $0.handle(request, now: server.now()) }.status
    }

    @Test func theFirstSaveCreatesTheFileAndARestartRestoresItsObjects() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hms-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var options = MockClusterServer.Options()
        options.stateFile = directory.appendingPathComponent("state.json").path

        let first = try MockClusterServer(options: options)
        #expect(status(first, configMap("kept")) == 201)
        first.saveState()
        #expect(FileManager.default.fileExists(atPath: options.stateFile ?? ""), "the first save writes the file")
        #expect(status(first, configMap("later")) == 201)
        first.saveState()
        #expect(!FileManager.default.fileExists(atPath: (options.stateFile ?? "") + ".tmp"))

        let restarted = try MockClusterServer(options: options)
        let get = APIRequest(method: "GET", target: "/api/v1/namespaces/default/configmaps/kept", headers: ["accept": "application/json"])
        #expect(status(restarted, get) == 200)
        let later = APIRequest(method: "GET", target: "/api/v1/namespaces/default/configmaps/later", headers: ["accept": "application/json"])
        #expect(status(restarted, later) == 200)
    }
}
