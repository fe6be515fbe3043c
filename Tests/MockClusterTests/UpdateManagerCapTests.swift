import Foundation
import JSON
import Testing
@testable import MockCluster

/// At most ten Update entries in managedFields, the oldest merged into `ancient-changes`, as
/// kube-apiserver's capManagersManager keeps them.
@Suite(.tags(.unit)) struct UpdateManagerCapTests {
    static let configMap = "/api/v1/namespaces/default/configmaps/c"

    static func entries(_ object: JSONValue) -> [JSONValue] {
        object[path: ["metadata", "managedFields"]]?.arrayValue ?? []
    }

    @Test func theEleventhUpdaterFoldsTheOldestTwoIntoAncientChanges() throws {
        var harness = Harness()
        harness.send("POST", "/api/v1/namespaces/default/configmaps?fieldManager=m0", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "data": ["k0": "v"]])
        // An applier neither counts nor is merged.
        ServerSideApplyTests.apply(&harness, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "labels": ["a": "b"]]], manager: "applier", path: Self.configMap)
        for index in 1...9 {
            harness.wait(1)
            harness.send("PATCH", Self.configMap + "?fieldManager=m\(index)", ["data": [.init("k\(index)"): "v"]], contentType: "application/merge-patch+json")
        }
        #expect(Self.entries(harness.get(Self.configMap)).count == 11)

        harness.wait(1)
        let capped = harness.send("PATCH", Self.configMap + "?fieldManager=m10", ["data": ["k10": "v"]], contentType: "application/merge-patch+json").json
        let entries = Self.entries(capped)
        #expect(entries.count == 11)
        #expect(entries.compactMap { $0["manager"]?.stringValue } == ["applier", "ancient-changes"] + (2...10).map { "m\($0)" })
        let ancient = try #require(entries.first { $0["manager"] == "ancient-changes" })
        #expect(ancient == [
            "manager": "ancient-changes", "operation": "Update", "apiVersion": "v1", "time": "2027-01-15T08:00:01Z",
            "fieldsType": "FieldsV1", "fieldsV1": ["f:data": [".": [:], "f:k0": [:], "f:k1": [:]]],
        ])
        // The cap holds at ten: the next updater folds the oldest into the bucket.
        harness.wait(1)
        let next = harness.send("PATCH", Self.configMap + "?fieldManager=m11", ["data": ["k11": "v"]], contentType: "application/merge-patch+json").json
        let names = Self.entries(next).compactMap { $0["manager"]?.stringValue }
        #expect(names == ["applier", "ancient-changes"] + (3...11).map { "m\($0)" })
        #expect(Self.entries(next).first { $0["manager"] == "ancient-changes" }?[path: ["fieldsV1", "f:data"]]?.objectValue?.keys.sorted()
            == [".", "f:k0", "f:k1", "f:k2"])
    }

    static func entry(_ hour: Int?, _ fields: String...) -> ManagedEntry {
        var set = FieldSet()
        for field in fields { set.insert([.field(field)][...]) }
        return ManagedEntry(apiVersion: "v1", time: hour.map { String(format: "2027-01-01T%02d:00:00Z", $0) }, fields: set)
    }

    static func managers(_ pairs: [(String, ManagedEntry)]) -> ManagedFields {
        var managers = ManagedFields()
        for (name, entry) in pairs { managers.entries[ManagerIdentity(manager: name, operation: .update)] = entry }
        return managers
    }

    /// Upstream's own table (capmanagers_test.go, one version) with a cap of three.
    @Test func theCapMergesOldestFirstAsUpstreamsTable() {
        let fresh = Self.managers([
            ("update-manager1", Self.entry(1, "a")), ("update-manager2", Self.entry(2, "b")),
            ("update-manager3", Self.entry(3, "c")), ("update-manager4", Self.entry(4, "d")),
        ])
        #expect(fresh.cappingUpdates(at: 3) == Self.managers([
            ("ancient-changes", Self.entry(2, "a", "b")), ("update-manager3", Self.entry(3, "c")), ("update-manager4", Self.entry(4, "d")),
        ]))
        let again = Self.managers([
            ("ancient-changes", Self.entry(2, "a", "b")), ("update-manager3", Self.entry(3, "c")),
            ("update-manager4", Self.entry(4, "d")), ("update-manager5", Self.entry(5, "e")),
        ])
        #expect(again.cappingUpdates(at: 3) == Self.managers([
            ("ancient-changes", Self.entry(3, "a", "b", "c")), ("update-manager4", Self.entry(4, "d")), ("update-manager5", Self.entry(5, "e")),
        ]))
        #expect(again.cappingUpdates(at: 4) == again)
    }

    /// An entry without a time (every entry made through /scale) is the oldest; ties sort by the
    /// manager's identifier, whose JSON puts `"` before a space.
    @Test func entriesWithoutATimeGoFirstAndTiesSortByTheIdentifier() {
        var managers = Self.managers([("b", Self.entry(nil, "x")), ("a", Self.entry(1, "y")), ("c", Self.entry(2, "z"))])
        managers.entries[ManagerIdentity(manager: "kubectl", operation: .update, subresource: "scale")] = Self.entry(nil, "r")
        let capped = managers.cappingUpdates(at: 3)
        #expect(capped.entries[ManagerIdentity(manager: "ancient-changes", operation: .update)] == Self.entry(nil, "r", "x"))
        #expect(capped.entries.count == 3)
        #expect(managers.identifierKey(ManagerIdentity(manager: "a<b", operation: .update, subresource: "scale"))
            == #"{"manager":"a\u003cb","operation":"Update","subresource":"scale"}"#)
        // {"manager":"a b",… and {"manager":"a!",… sort before {"manager":"a",…: a space (0x20) and "!"
        // (0x21) are below the quote (0x22) that ends "a".
        let tie = Self.managers([("a b", Self.entry(1, "p")), ("a", Self.entry(1, "q")), ("a!", Self.entry(1, "s")), ("a0", Self.entry(1, "t"))])
        #expect(tie.cappingUpdates(at: 3).entries[ManagerIdentity(manager: "ancient-changes", operation: .update)]?.fields
            == Self.entry(1, "p", "s").fields)
    }
}
