import Foundation
internal import CCurl
import Synchronization

/// Drives one curl multi handle from a thread of its own, so that no transfer ever blocks Swift's
/// cooperative pool. Callers hand it commands through a locked queue and wake it with
/// `curl_multi_wakeup`; everything curl-related below `commands` is touched by the engine thread
/// only, which is what makes the `@unchecked Sendable` true.
///
/// The thread is also a `TaskExecutor`: tasks that prefer it run between curl's calls, so a
/// request they send and the answer they await never cross to another thread (see
/// `HTTPClient.executor`).
final class CurlEngine: TaskExecutor, @unchecked Sendable {
    enum Command {
        case start(Transfer)
        case cancel(id: Int)
        case resume(id: Int)
        /// A task that prefers this executor, ready to run.
        case run(UnownedJob)
        case shutdown
    }

    private struct Queue {
        var commands: [Command] = []
        var stopped = false
    }

    private let queue = Mutex(Queue())
    private let nextID = Atomic<Int>(1)
    /// `pthread_self()` of the engine thread once it runs: what it queues for itself needs no wake-up.
    private let engineThread = Atomic<UInt>(0)
    private let multi: MultiHandle
    private let configuration: HTTPClient.Configuration

    // Engine thread only.
    private var idle: [EasyHandle] = []
    private var active: [UnsafeMutableRawPointer: EasyHandle] = [:]
    private var activeByID: [Int: EasyHandle] = [:]
    /// Enough warm handles for the concurrency people use; more are made when needed and dropped after.
    private let maxIdleHandles = 16

    init(_ configuration: HTTPClient.Configuration) throws(HTTPError) {
        multi = try MultiHandle()
        self.configuration = configuration
        // Fail now, not on the first request, when the TLS material cannot be used.
        idle.append(try EasyHandle(configuration))
        let thread = Thread { [self] in
            // Foundation on Linux does not apply a name set before start; perf and top show this one.
            Thread.current.name = "hms-curl"
            run()
        }
        thread.start()
    }

    func makeID() -> Int { nextID.wrappingAdd(1, ordering: .relaxed).oldValue }

    /// Queues a command; false when the engine has stopped (the command is dropped).
    @discardableResult
    func submit(_ command: Command) -> Bool {
        let accepted = queue.withLock { queue in
            if queue.stopped { return false }
            queue.commands.append(command)
            if case .shutdown = command { queue.stopped = true }
            return true
        }
        // The engine thread reads the queue again before it polls: it need not wake itself.
        if accepted, pthread_self() != engineThread.load(ordering: .relaxed) { multi.wakeUp() }
        return accepted
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // After shutdown the task still has to run somewhere: on the global executor.
        if !submit(.run(job)) { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }

    private func run() {
        engineThread.store(pthread_self(), ordering: .relaxed)
        while true {
            // What is queued, and what that queues in turn (a task resumed with its answer sends
            // its next request), all before curl runs: one call of curl's then sends it all.
            var commands = takeCommands()
            while !commands.isEmpty {
                guard carryOut(commands) else { return }
                commands = takeCommands()
            }
            multi.perform()
            for (raw, code) in multi.completed() {
                guard let handle = active[raw], let transfer = handle.transfer else { continue }
                let error: HTTPError? = code == CURLE_OK ? nil : HTTPError(
                    HTTPError.kind(forCurlCode: Int(code.rawValue)), request: transfer.request.description,
                    message: handle.message(for: code), curlCode: Int(code.rawValue),
                    requestMayHaveBeenSent: handle.requestWasAttempted()
                )
                finish(handle, transfer, error: error)
            }
            // Finished transfers resumed tasks that run here: take those before sleeping.
            if queue.withLock({ $0.commands.isEmpty }) { multi.poll(milliseconds: 1000) }
        }
    }

    private func takeCommands() -> [Command] {
        queue.withLock { queue in
            defer { queue.commands.removeAll(keepingCapacity: true) }
            return queue.commands
        }
    }

    /// Carries out the commands in order; false once the engine has shut down.
    private func carryOut(_ commands: [Command]) -> Bool {
        for (index, command) in commands.enumerated() {
            switch command {
            case .start(let transfer): start(transfer)
            case .cancel(let id): cancel(id)
            case .resume(let id): activeByID[id]?.unpause()
            case .run(let job): job.runSynchronously(on: asUnownedTaskExecutor())
            case .shutdown:
                for id in Array(activeByID.keys) { cancel(id) }
                idle.removeAll()
                // Tasks queued before the shutdown and not yet run go to the global executor (later
                // ones, the cancelled transfers' included, are sent there by `enqueue`).
                let orphans = Array(commands[(index + 1)...]) + takeCommands()
                for case .run(let job) in orphans { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
                return false
            }
        }
        return true
    }

    private func start(_ transfer: Transfer) {
        do throws(HTTPError) {
            let handle: EasyHandle
            if let warm = idle.popLast() { handle = warm } else { handle = try makeHandle() }
            handle.transfer = transfer
            do throws(HTTPError) {
                try handle.prepare(transfer.request)
            } catch {
                var error = error
                error.request = transfer.request.description
                handle.transfer = nil
                idle.append(handle)
                transfer.complete(error: error, status: 0)
                return
            }
            guard multi.add(handle) else {
                handle.transfer = nil
                transfer.complete(error: HTTPError(.other, request: transfer.request.description, message: "curl refused the transfer", requestMayHaveBeenSent: false), status: 0)
                return
            }
            active[handle.raw] = handle
            activeByID[transfer.id] = handle
        } catch {
            transfer.complete(error: error, status: 0)
        }
    }

    private func makeHandle() throws(HTTPError) -> EasyHandle {
        try EasyHandle(configuration)
    }

    private func cancel(_ id: Int) {
        guard let handle = activeByID[id], let transfer = handle.transfer else { return }
        finish(handle, transfer, error: HTTPError(.cancelled, request: transfer.request.description, message: "the request was cancelled"))
    }

    private func finish(_ handle: EasyHandle, _ transfer: Transfer, error: HTTPError?) {
        multi.remove(handle)
        active[handle.raw] = nil
        activeByID[transfer.id] = nil
        let status = handle.responseCode()
        handle.transfer = nil
        if idle.count < maxIdleHandles { idle.append(handle) }
        transfer.complete(error: error, status: status)
    }
}
