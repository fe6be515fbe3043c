import Kube
import JSON
import Controller
import Planner
import Testing

@Suite(.tags(.unit)) struct InformerStoreTests {
    func item(_ name: String, _ version: String, _ value: String) -> CachedItem<String> {
        CachedItem(key: ObjectRef(kind: "ConfigMap", namespace: "default", name: name), resourceVersion: version, value: value)
    }

    func describe(_ changes: [CacheChange<String>]) -> [String] {
        changes.map { "\($0.key.name): \($0.old ?? "-") -> \($0.new ?? "-")" }.sorted()
    }

    @Test func aListReplacesTheStoreAndReportsOnlyWhatChanged() {
        var store = InformerStore<String>()
        #expect(!store.hasSynced)
        #expect(describe(store.replace([item("a", "1", "a1"), item("b", "2", "b1")])) == ["a: - -> a1", "b: - -> b1"])
        #expect(store.hasSynced)
        // After a 410: a unchanged, b changed, c new, and a deletion the watch missed.
        var relisted = store
        #expect(describe(relisted.replace([item("b", "5", "b2"), item("c", "6", "c1")])) == ["a: a1 -> -", "b: b1 -> b2", "c: - -> c1"])
        #expect(describe(store.replace([item("a", "1", "a1"), item("b", "2", "b1")])) == [])
        #expect(relisted.values.sorted() == ["b2", "c1"])
    }

    @Test func anEventAtTheVersionHeldOrAnOlderOneIsNoChange() {
        var store = InformerStore<String>()
        _ = store.replace([item("a", "10", "a10")])
        #expect(store.upsert(item("a", "10", "again")) == nil)
        #expect(store.upsert(item("a", "9", "late")) == nil)
        #expect(store[ObjectRef(kind: "ConfigMap", namespace: "default", name: "a")] == "a10")
        let change = store.upsert(item("a", "11", "a11"))
        #expect(change?.old == "a10")
        #expect(change?.new == "a11")
    }

    @Test func theAnswerToOurWriteIsNotUndoneByALateWatchEvent() {
        var store = InformerStore<String>()
        _ = store.replace([item("a", "10", "spec 1")])
        // Someone edits a (version 11); our status write answers with version 12, before the
        // watch delivers 11.
        #expect(store.upsert(item("a", "12", "spec 2 + status")) != nil)
        #expect(store.upsert(item("a", "11", "spec 2")) == nil)
        #expect(store.upsert(item("a", "12", "spec 2 + status")) == nil)
        #expect(store.values == ["spec 2 + status"])
    }

    @Test func versionsThatAreNotNumbersCompareOnlyForEquality() {
        var store = InformerStore<String>()
        _ = store.replace([item("a", "x7", "one")])
        #expect(store.upsert(item("a", "x7", "same")) == nil)
        #expect(store.upsert(item("a", "a1", "other")) != nil)
    }

    @Test func aDeletionRemovesAndReportsTheLastValue() {
        var store = InformerStore<String>()
        _ = store.replace([item("a", "1", "a1")])
        let key = ObjectRef(kind: "ConfigMap", namespace: "default", name: "a")
        #expect(store.remove(key)?.old == "a1")
        #expect(store.remove(key) == nil)
        #expect(store.values.isEmpty)
    }
}

/// Gates judge a complete picture: a cache knows how far it has seen, and a namespace read afresh
/// counts as seen up to the list's version.
@Suite(.tags(.unit)) struct InformerFreshnessTests {
    func item(_ namespace: String, _ name: String, _ version: String) -> CachedItem<String> {
        CachedItem(key: ObjectRef(kind: "GovernancePolicy", namespace: namespace, name: name), resourceVersion: version, value: name + version)
    }

    @Test func eventsAndBookmarksMoveTheVersionForward() {
        var store = InformerStore<String>()
        _ = store.replace([item("a", "p", "10")])
        store.advance(to: "10")
        #expect(store.isCurrent(atLeast: 10, namespace: "a"))
        #expect(!store.isCurrent(atLeast: 11, namespace: "a"))
        store.advance(to: "15")
        store.advance(to: "12")  // an older mark never moves it back
        #expect(store.currentVersion == 15)
        store.advance(to: "not-a-number")
        #expect(store.currentVersion == 15)
    }

    @Test func aFreshReadOfANamespaceIsTheTruthForItAlone() {
        var store = InformerStore<String>()
        _ = store.replace([item("a", "old", "5"), item("b", "other", "6")])
        store.advance(to: "6")
        let changes = store.replace(namespace: "a", with: [item("a", "new", "20")], version: "21")
        #expect(changes.map { "\($0.key.name): \($0.old ?? "-") -> \($0.new ?? "-")" }.sorted() == ["new: - -> new20", "old: old5 -> -"])
        #expect(store.isCurrent(atLeast: 21, namespace: "a"))
        #expect(!store.isCurrent(atLeast: 21, namespace: "b"))
        #expect(store[ObjectRef(kind: "GovernancePolicy", namespace: "b", name: "other")] == "other6")
        // The watch catching up past it makes the namespace mark needless.
        store.advance(to: "30")
        #expect(store.isCurrent(atLeast: 30, namespace: "a") && store.isCurrent(atLeast: 30, namespace: "b"))
    }
}

/// What the controller deleted leaves its cache at once: a pass before the watch event must not
/// plan the same delete again.
@Suite(.tags(.unit)) struct DeletedObjectTests {
    @Test func aDeletedDeploymentLeavesTheCacheAtOnce() {
        let cache = ClusterCache()
        let deployment: JSONValue = ["metadata": ["name": "web", "namespace": "aid", "resourceVersion": "5"], "spec": ["replicas": 1]]
        cache.deployments.apply(.relisted([deployment], resourceVersion: "5"))
        let key = ObjectRef(kind: "Deployment", namespace: "aid", name: "web")
        #expect(cache.deployments[key] != nil)
        cache.deleted(.deployments, namespace: "aid", name: "web")
        #expect(cache.deployments[key] == nil)
        // A pod deleted to replace it stays until its watch event: it still counts while it terminates.
        let pod: JSONValue = ["metadata": ["name": "web-1", "namespace": "aid", "resourceVersion": "6", "labels": ["app": "web", "app.kubernetes.io/managed-by": "hms-controller"]]]
        cache.pods.apply(.relisted([pod], resourceVersion: "6"))
        cache.deleted(.pods, namespace: "aid", name: "web-1")
        #expect(cache.pods.count == 1)
    }
}
