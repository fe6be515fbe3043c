import Kube

/// Runs `body` over the items with at most `limit` in flight, and returns the results in the
/// items' order. Writes to the API server overlap; their answers keep the plan's order.
public func concurrentMap<Item: Sendable, Result: Sendable>(
    _ items: [Item], limit: Int = 16, _ body: @escaping @Sendable (Item) async -> Result
) async -> [Result] {
    // One item needs no group of tasks (a chain's status patch, say).
    if items.count == 1 { return [await body(items[0])] }
    return await withTaskGroup(of: (Int, Result).self) { group in
        var results: [Result?] = Array(repeating: nil, count: items.count)
        var next = 0
        func startNext() {
            guard next < items.count else { return }
            let index = next
            let item = items[index]
            next += 1
            group.addTask { (index, await body(item)) }
        }
        for _ in 0..<max(1, limit) { startNext() }
        for await (index, result) in group {
            results[index] = result
            startNext()
        }
        return results.compactMap { $0 }
    }
}

/// The result of `body`, its error included: for the pieces of a `concurrentMap` that may fail.
public func attempt<Value>(_ body: () async throws(KubeError) -> Value) async -> Result<Value, KubeError> {
    do throws(KubeError) {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}
