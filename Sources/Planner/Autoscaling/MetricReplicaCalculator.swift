/// What one metric asks for: a replica count and how it got there, or why it could not tell.
public struct MetricProposal: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case replicas(Int)
        /// `reason` is the HPA's condition reason (`FailedGetResourceMetric`, ...).
        case failed(reason: String, message: String)
    }

    public var metric: String
    /// The metric as the HPA's ScalingActive message names it: `cpu resource utilization
    /// (percentage of request)`, `pods metric http_rps`.
    public var hpaDescription: String
    public var outcome: Outcome
    /// One line for people: `cpu: 50% of requests, target 30% → 5 replicas`.
    public var explanation: String

    public var replicas: Int? {
        if case .replicas(let count) = outcome { return count }
        return nil
    }
}

/// The per-metric replica math of the HPA (`replica_calculator.go`, `metrics/utilization.go`),
/// on values instead of API listers.
enum MetricReplicaCalculator {
    struct Failure: Error {
        var message: String
    }

    /// A computed count and the words that explain it.
    struct Count {
        var replicas: Int
        var explanation: String
    }

    static func propose(_ metric: MetricObservation, currentReplicas: Int, statusReplicas: Int, tolerances: Tolerances) -> MetricProposal {
        let description = describe(metric)
        // An unnamed metric goes by its kind.
        let label = metric.name.isEmpty ? description : metric.name
        do {
            let count = try count(metric, currentReplicas: currentReplicas, statusReplicas: statusReplicas, tolerances: tolerances)
            return MetricProposal(metric: label, hpaDescription: description, outcome: .replicas(count.replicas), explanation: "\(label): \(count.explanation)")
        } catch {
            return MetricProposal(
                metric: label, hpaDescription: description,
                outcome: .failed(reason: failureReason(metric.source), message: "the HPA was unable to compute the replica count: \(error.message)"),
                explanation: "\(label): \(error.message)")
        }
    }

    private static func count(_ metric: MetricObservation, currentReplicas: Int, statusReplicas: Int, tolerances: Tolerances) throws(Failure) -> Count {
        switch (metric.source, metric.target, metric.reading) {
        case (_, _, .unavailable(let why)):
            throw Failure(message: "unable to get \(describe(metric)): \(why)")
        case (.resource(let resource), .utilization(let percent), .pods(let pods)):
            return try resourceUtilizationReplicas(resource: resource, currentReplicas: currentReplicas, targetPercent: percent, pods: pods, tolerances: tolerances)
        case (.resource, .averageValue(let target), .pods(let pods)), (.pods, .averageValue(let target), .pods(let pods)):
            return try averagePerPodReplicas(currentReplicas: currentReplicas, targetMilli: target, pods: pods, tolerances: tolerances)
        case (.object, .value(let target), .value(let usage, let pods)), (.external, .value(let target), .value(let usage, let pods)):
            return try wholeValueReplicas(currentReplicas: currentReplicas, usageMilli: usage, targetMilli: target, pods: pods, tolerances: tolerances)
        case (.object, .averageValue(let target), .value(let usage, _)), (.external, .averageValue(let target), .value(let usage, _)):
            return valuePerPodReplicas(statusReplicas: statusReplicas, usageMilli: usage, targetMilli: target, tolerances: tolerances)
        case (.resource, .value, _):
            throw Failure(message: "invalid resource metric source: neither a utilization target nor a value target was set")
        case (.pods, _, _):
            throw Failure(message: "a pods metric takes an averageValue target and a sample per pod")
        case (.object, .utilization, _), (.external, .utilization, _):
            throw Failure(message: "invalid \(metric.source == .object ? "object" : "external") metric source: neither a value target nor an average value target was set")
        case (.resource, _, .value):
            throw Failure(message: "a resource metric needs a sample per pod")
        case (.object, _, .pods), (.external, _, .pods):
            throw Failure(message: "an \(metric.source == .object ? "object" : "external") metric needs its value, not per-pod samples")
        }
    }

    // MARK: Pods, as groupPods sorts them

    /// Ready pods with a sample count; pods not ready are left out (and count as 0 on a
    /// scale-up); ready pods without a sample are "missing" until the direction is known.
    struct PodGroups {
        var samples: [Int: Int64] = [:]
        var readyWithSample = 0
        var unready: [Int] = []
        var missing: [Int] = []

        init(_ pods: [PodSample]) {
            for (index, pod) in pods.enumerated() {
                // Upstream checks the phase before the sample: a pending pod with one is unready.
                guard pod.ready else {
                    unready.append(index)
                    continue
                }
                guard let usage = pod.milliUsage else {
                    missing.append(index)
                    continue
                }
                samples[index] = usage
                readyWithSample += 1
            }
        }
    }

    // MARK: Resource utilization (GetResourceReplicas)

    static func resourceUtilizationReplicas(resource: String, currentReplicas: Int, targetPercent: Int, pods: [PodSample], tolerances: Tolerances) throws(Failure) -> Count {
        guard !pods.isEmpty else { throw Failure(message: "no pods returned by selector while calculating replica count") }
        let groups = PodGroups(pods)
        guard !groups.samples.isEmpty else { throw Failure(message: "did not receive metrics for targeted pods (pods might be unready)") }
        var requests: [Int: Int64] = [:]
        for (index, pod) in pods.enumerated() {
            guard let request = pod.milliRequest else { throw Failure(message: "missing request for \(resource) in pod \(index + 1)") }
            requests[index] = request
        }

        let first = try utilization(groups.samples, requests: requests, targetPercent: targetPercent)
        let measured = "\(first.percent)% of requests, target \(targetPercent)%"
        let scaleUpWithUnready = !groups.unready.isEmpty && first.ratio > 1.0
        if !scaleUpWithUnready && groups.missing.isEmpty {
            return settleReady(currentReplicas: currentReplicas, ratio: first.ratio, groups: groups, tolerances: tolerances, text: measured)
        }

        var notes: [String] = []
        var rebalanced = groups.samples
        if !groups.missing.isEmpty {
            if first.ratio < 1.0 {
                // A pod without a sample might be busy: assume its whole request (or the target,
                // above 100%) so that a scale-down is not too deep.
                let fallbackPercent = Int64(max(100, targetPercent))
                for index in groups.missing {
                    rebalanced[index] = ReplicaArithmetic.saturatingMultiply(requests[index] ?? 0, fallbackPercent) / 100
                }
                notes.append("\(podCount(groups.missing.count)) without a sample counted at \(fallbackPercent)% of request")
            } else if first.ratio > 1.0 {
                for index in groups.missing { rebalanced[index] = 0 }
                notes.append("\(podCount(groups.missing.count)) without a sample counted at 0%")
            }
        }
        if scaleUpWithUnready {
            for index in groups.unready { rebalanced[index] = 0 }
            notes.append("\(podCount(groups.unready.count)) not ready counted at 0%")
        } else if !groups.unready.isEmpty {
            notes.append("\(podCount(groups.unready.count)) not ready ignored")
        }

        let second = try utilization(rebalanced, requests: requests, targetPercent: targetPercent)
        let rebalancedText = "\(measured); with \(notes.joined(separator: ", ")): \(second.percent)%"
        return settleRebalanced(
            currentReplicas: currentReplicas, firstRatio: first.ratio, secondRatio: second.ratio,
            podsCounted: rebalanced.count, tolerances: tolerances, text: rebalancedText)
    }

    /// `GetResourceUtilizationRatio`: a ratio of sums, with the percent truncated to an integer
    /// before it is compared (upstream's int32 arithmetic).
    static func utilization(_ samples: [Int: Int64], requests: [Int: Int64], targetPercent: Int) throws(Failure) -> (percent: Int, ratio: Double) {
        var usageTotal: Int64 = 0
        var requestTotal: Int64 = 0
        for (index, usage) in samples {
            guard let request = requests[index] else { continue }
            usageTotal = ReplicaArithmetic.saturatingAdd(usageTotal, usage)
            requestTotal = ReplicaArithmetic.saturatingAdd(requestTotal, request)
        }
        guard requestTotal != 0 else { throw Failure(message: "no metrics returned matched known pods") }
        let percent64 = ReplicaArithmetic.saturatingMultiply(usageTotal, 100) / requestTotal
        let percent = Int(min(max(percent64, Int64(Int32.min)), Int64(Int32.max)))
        return (percent, Double(percent) / Double(targetPercent))
    }

    // MARK: Average per pod (calcPlainMetricReplicas)

    static func averagePerPodReplicas(currentReplicas: Int, targetMilli: Int64, pods: [PodSample], tolerances: Tolerances) throws(Failure) -> Count {
        guard !pods.isEmpty else { throw Failure(message: "no pods returned by selector while calculating replica count") }
        let groups = PodGroups(pods)
        guard !groups.samples.isEmpty else { throw Failure(message: "did not receive metrics for targeted pods (pods might be unready)") }

        let first = averageRatio(groups.samples, targetMilli: targetMilli)
        let measured = "average \(MilliUnits(first.average)) per pod, target \(MilliUnits(targetMilli))"
        let scaleUpWithUnready = !groups.unready.isEmpty && first.ratio > 1.0
        if !scaleUpWithUnready && groups.missing.isEmpty {
            return settleReady(currentReplicas: currentReplicas, ratio: first.ratio, groups: groups, tolerances: tolerances, text: measured)
        }

        var notes: [String] = []
        var rebalanced = groups.samples
        if !groups.missing.isEmpty {
            if first.ratio < 1.0 {
                // Plain metrics have no request: a pod without a sample is taken to be on target.
                for index in groups.missing { rebalanced[index] = targetMilli }
                notes.append("\(podCount(groups.missing.count)) without a sample counted at the target")
            } else if first.ratio > 1.0 {
                for index in groups.missing { rebalanced[index] = 0 }
                notes.append("\(podCount(groups.missing.count)) without a sample counted at 0")
            }
        }
        if scaleUpWithUnready {
            for index in groups.unready { rebalanced[index] = 0 }
            notes.append("\(podCount(groups.unready.count)) not ready counted at 0")
        } else if !groups.unready.isEmpty {
            notes.append("\(podCount(groups.unready.count)) not ready ignored")
        }

        let second = averageRatio(rebalanced, targetMilli: targetMilli)
        let rebalancedText = "\(measured); with \(notes.joined(separator: ", ")): average \(MilliUnits(second.average))"
        return settleRebalanced(
            currentReplicas: currentReplicas, firstRatio: first.ratio, secondRatio: second.ratio,
            podsCounted: rebalanced.count, tolerances: tolerances, text: rebalancedText)
    }

    /// `GetMetricUsageRatio`: the average is an integer division of milli-values.
    static func averageRatio(_ samples: [Int: Int64], targetMilli: Int64) -> (average: Int64, ratio: Double) {
        var total: Int64 = 0
        for usage in samples.values { total = ReplicaArithmetic.saturatingAdd(total, usage) }
        let average = total / Int64(samples.count)
        return (average, Double(average) / Double(targetMilli))
    }

    /// The first look is the answer when every pod has a sample and none that is not ready could
    /// change the direction: the ready pods' ratio, unless it is within tolerance.
    private static func settleReady(currentReplicas: Int, ratio: Double, groups: PodGroups, tolerances: Tolerances, text measured: String) -> Count {
        let ignored = groups.unready.isEmpty ? "" : " (\(podCount(groups.unready.count)) not ready ignored)"
        if tolerances.contains(ratio) {
            return Count(replicas: currentReplicas, explanation: "\(measured)\(ignored): within tolerance (ratio \(Decimal3(ratio)), band \(tolerances)) → stays at \(currentReplicas)")
        }
        let replicas = ReplicaArithmetic.ceilToReplicas(ratio * Double(groups.readyWithSample))
        return Count(replicas: replicas, explanation: "\(measured)\(ignored) → \(replicas) \(plural(replicas)) (ratio \(Decimal3(ratio)) × \(podCount(groups.readyWithSample, "ready pod")))")
    }

    /// The second look after missing and unready pods were given assumed values: no scaling when
    /// that lands within tolerance or turns the direction around, in ratio or in replica count.
    private static func settleRebalanced(currentReplicas: Int, firstRatio: Double, secondRatio: Double, podsCounted: Int, tolerances: Tolerances, text: String) -> Count {
        if tolerances.contains(secondRatio) {
            return Count(replicas: currentReplicas, explanation: "\(text): within tolerance (ratio \(Decimal3(secondRatio)), band \(tolerances)) → stays at \(currentReplicas)")
        }
        if (firstRatio < 1.0 && secondRatio > 1.0) || (firstRatio > 1.0 && secondRatio < 1.0) {
            return Count(replicas: currentReplicas, explanation: "\(text) (ratio \(Decimal3(secondRatio))) would reverse the direction (ratio \(Decimal3(firstRatio)) before) → stays at \(currentReplicas)")
        }
        let replicas = ReplicaArithmetic.ceilToReplicas(secondRatio * Double(podsCounted))
        if (secondRatio < 1.0 && replicas > currentReplicas) || (secondRatio > 1.0 && replicas < currentReplicas) {
            return Count(replicas: currentReplicas, explanation: "\(text) → \(replicas) would move against the metric (ratio \(Decimal3(secondRatio))) → stays at \(currentReplicas)")
        }
        return Count(replicas: replicas, explanation: "\(text) → \(replicas) \(plural(replicas)) (ratio \(Decimal3(secondRatio)) × \(podCount(podsCounted, "pod")))")
    }

    // MARK: Object and external metrics

    /// `GetObjectMetricReplicas` / `GetExternalMetricReplicas`: the whole value against the
    /// target, times the ready pods. From zero replicas, tolerance and pods do not apply: the
    /// ratio alone says how many to start.
    static func wholeValueReplicas(currentReplicas: Int, usageMilli: Int64, targetMilli: Int64, pods: PodCount, tolerances: Tolerances) throws(Failure) -> Count {
        let ratio = Double(usageMilli) / Double(targetMilli)
        let measured = "\(MilliUnits(usageMilli)), target \(MilliUnits(targetMilli))"
        guard currentReplicas != 0 else {
            let replicas = ReplicaArithmetic.ceilToReplicas(ratio)
            return Count(replicas: replicas, explanation: "\(measured) → \(replicas) \(plural(replicas)) (from zero: ratio \(Decimal3(ratio)) rounded up)")
        }
        if tolerances.contains(ratio) {
            return Count(replicas: currentReplicas, explanation: "\(measured): within tolerance (ratio \(Decimal3(ratio)), band \(tolerances)) → stays at \(currentReplicas)")
        }
        guard pods.total > 0 else {
            throw Failure(message: "unable to calculate ready pods: no pods returned by selector while calculating replica count")
        }
        let replicas = ReplicaArithmetic.ceilToReplicas(ratio * Double(pods.ready))
        return Count(replicas: replicas, explanation: "\(measured) → \(replicas) \(plural(replicas)) (ratio \(Decimal3(ratio)) × \(podCount(pods.ready, "ready pod")))")
    }

    /// `GetObjectPerPodMetricReplicas` / `GetExternalPerPodMetricReplicas`: the value divided by
    /// the target's status replicas; outside tolerance the count is the value over the per-pod
    /// target, whatever the pods.
    static func valuePerPodReplicas(statusReplicas: Int, usageMilli: Int64, targetMilli: Int64, tolerances: Tolerances) -> Count {
        let ratio = Double(usageMilli) / (Double(targetMilli) * Double(statusReplicas))
        let perPod = statusReplicas > 0 ? "\(Decimal3(Double(usageMilli) / 1000 / Double(statusReplicas))) per pod over \(statusReplicas) \(plural(statusReplicas))" : "no replicas to share it"
        let measured = "\(MilliUnits(usageMilli)) in all (\(perPod)), target \(MilliUnits(targetMilli)) per pod"
        if tolerances.contains(ratio) {
            return Count(replicas: statusReplicas, explanation: "\(measured): within tolerance (ratio \(Decimal3(ratio)), band \(tolerances)) → stays at \(statusReplicas)")
        }
        let replicas = ReplicaArithmetic.ceilToReplicas(Double(usageMilli) / Double(targetMilli))
        return Count(replicas: replicas, explanation: "\(measured) → \(replicas) \(plural(replicas))")
    }

    // MARK: Words

    /// How upstream's ScalingActive message names a metric.
    static func describe(_ metric: MetricObservation) -> String {
        let name = metric.name.isEmpty ? "" : " \(metric.name)"
        switch (metric.source, metric.target) {
        case (.resource(let resource), .utilization): return "\(resource) resource utilization (percentage of request)"
        case (.resource(let resource), _): return "\(resource) resource"
        case (.pods, _): return "pods metric\(name)"
        case (.object, _): return "object metric\(name)"
        case (.external, _): return "external metric\(name)"
        }
    }

    static func failureReason(_ source: MetricObservation.Source) -> String {
        switch source {
        case .resource: "FailedGetResourceMetric"
        case .pods: "FailedGetPodsMetric"
        case .object: "FailedGetObjectMetric"
        case .external: "FailedGetExternalMetric"
        }
    }
}

func plural(_ count: Int, _ word: String = "replica") -> String {
    count == 1 ? word : word + "s"
}

private func podCount(_ count: Int, _ word: String = "pod") -> String {
    "\(count) \(plural(count, word))"
}
