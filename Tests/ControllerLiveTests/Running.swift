import Controller
import Synchronization
import TestSupport

/// Cancels `task`, as the service group does on SIGTERM, and waits for it to end; fails the test
/// when it has not ended within `limit` (a part that ignores cancellation hangs shutdown).
func stop(_ task: Task<Void, Never>, within limit: Duration = .seconds(10)) async throws {
    task.cancel()
    let ended = Atomic<Bool>(false)
    let watcher = Task {
        await task.value
        ended.store(true, ordering: .releasing)
    }
    defer { watcher.cancel() }
    try await eventually("the task ended after it was cancelled", timeout: limit) { ended.load(ordering: .acquiring) }
}

/// What a handler was told, in order: the keys an informer queued, say.
final class Heard<Item: Sendable>: Sendable {
    private let items = Mutex<[Item]>([])

    var all: [Item] { items.withLock { $0 } }

    func record(_ new: [Item]) { items.withLock { $0 += new } }

    func clear() { items.withLock { $0 = [] } }
}
