import Foundation
import JSON

/// kubelet's side of a pod's graceful deletion: a pod deleted with a grace period keeps running
/// (`Terminating`, `deletionTimestamp` set) until kubelet has stopped its containers, then kubelet
/// deletes it with a zero grace period. The mock's containers stop at once, so a terminating pod
/// goes at the next simulation step; a finalizer on it still holds it until it is removed.
extension MockCluster {
    mutating func finishTerminatingPods(now: Date) {
        for key in simulation.terminatingPods.sorted() {
            simulation.terminatingPods.remove(key)
            guard let live = store.get(BuiltInTypes.pods.id, key), live.value.deletionTimestamp != nil else { continue }
            if live.value.finalizers.isEmpty {
                remove(BuiltInTypes.pods, key)
                continue
            }
            var pod = live.value
            Self.startGracefulDeletion(&pod, seconds: 0, now: now)
            store.put(BuiltInTypes.pods.id, key, consume pod)
        }
    }
}
