import Foundation
import JSON
import MockCluster
import Testing

/// Lists are written as their items' stored bytes between a header and a trailer; the joined body
/// must still be one well-formed list, filtered by selectors, paged by limit and continue.
@Suite(.tags(.unit)) struct ListTests {
    let now = Date(timeIntervalSince1970: 1_767_323_045)

    func cluster(withConfigMaps count: Int) -> MockCluster {
        var cluster = MockCluster(now: now)
        for index in 0..<count {
            let body: JSONValue = ["metadata": ["name": .string("map-\(index)"), "labels": ["even": .string(String(index % 2 == 0))]]]
            let response = cluster.handle(
                APIRequest(method: "POST", target: "/api/v1/namespaces/default/configmaps", body: body.jsonBytes), now: now)
            precondition(response.status == 201)
        }
        return cluster
    }

    func list(_ cluster: inout MockCluster, _ target: String) throws -> JSONValue {
        let response = cluster.handle(APIRequest(method: "GET", target: target), now: now)
        #expect(response.status == 200)
        return try JSONValue(parsing: response.bodyBytes)
    }

    func names(_ list: JSONValue) -> [String] {
        (list["items"]?.arrayValue ?? []).compactMap { $0[path: ["metadata", "name"]]?.stringValue }
    }

    @Test func aListIsOneDocumentWithItsItemsInKeyOrder() throws {
        var cluster = cluster(withConfigMaps: 3)
        let all = try list(&cluster, "/api/v1/namespaces/default/configmaps")
        #expect(all["kind"] == "ConfigMapList")
        #expect(all["apiVersion"] == "v1")
        #expect(all[path: ["metadata", "resourceVersion"]] == .string(String(cluster.resourceVersion)))
        #expect(names(all) == ["map-0", "map-1", "map-2"])
        #expect(all["items"]?.arrayValue?.first?["kind"] == "ConfigMap")
    }

    @Test func anEmptyListHasAnEmptyItemsArray() throws {
        var cluster = cluster(withConfigMaps: 0)
        let empty = try list(&cluster, "/api/v1/namespaces/default/configmaps")
        #expect(empty["items"] == [])
    }

    @Test func selectorsFilterAndPagesContinue() throws {
        var cluster = cluster(withConfigMaps: 5)
        #expect(names(try list(&cluster, "/api/v1/namespaces/default/configmaps?labelSelector=even%3Dtrue")) == ["map-0", "map-2", "map-4"])
        #expect(names(try list(&cluster, "/api/v1/configmaps?fieldSelector=metadata.name%3Dmap-3")) == ["map-3"])
        let first = try list(&cluster, "/api/v1/namespaces/default/configmaps?limit=2")
        #expect(names(first) == ["map-0", "map-1"])
        let token = try #require(first[path: ["metadata", "continue"]]?.stringValue)
        let second = try list(&cluster, "/api/v1/namespaces/default/configmaps?limit=2&continue=\(token)")
        #expect(names(second) == ["map-2", "map-3"])
    }
}
