import Foundation
import Model
import Planner

/// Short ways to write moments in table tests.
enum Make {
    /// A pod's CPU in millicores; a nil usage is a ready pod without a sample.
    static func pod(_ usage: Int64?, request: Int64? = 1000, ready: Bool = true) -> PodSample {
        PodSample(milliUsage: usage, milliRequest: request, ready: ready)
    }

    static func pending(_ usage: Int64? = nil, request: Int64? = 1000) -> PodSample {
        PodSample(milliUsage: usage, milliRequest: request, ready: false)
    }

    static func cpu(target percent: Int, _ pods: [PodSample]) -> MetricObservation {
        MetricObservation(name: "cpu", source: .resource("cpu"), target: .utilization(percent: percent), reading: .pods(pods))
    }

    /// A per-pod custom metric; values in the metric's units (nil: no sample).
    static func perPod(target: Double, _ values: [Double?], pending: Int = 0) -> MetricObservation {
        let samples = values.map { PodSample(milliUsage: $0.map { MilliValue.of(units: $0) }) }
            + Array(repeating: PodSample(milliUsage: nil, ready: false), count: pending)
        return MetricObservation(name: "http_rps", source: .pods, target: .averageValue(milli: MilliValue.of(units: target)), reading: .pods(samples))
    }

    /// A per-pod custom metric with pending pods that do report a sample.
    static func perPod(target: Double, ready: [Double], pendingWithSamples: [Double]) -> MetricObservation {
        let samples = ready.map { PodSample(milliUsage: MilliValue.of(units: $0)) }
            + pendingWithSamples.map { PodSample(milliUsage: MilliValue.of(units: $0), ready: false) }
        return MetricObservation(name: "http_rps", source: .pods, target: .averageValue(milli: MilliValue.of(units: target)), reading: .pods(samples))
    }

    static func value(_ source: MetricObservation.Source = .external, _ value: Double, target: Double, pods: PodCount) -> MetricObservation {
        MetricObservation(name: "queue_depth", source: source, target: .value(milli: MilliValue.of(units: target)), reading: .value(milli: MilliValue.of(units: value), pods: pods))
    }

    static func averageValue(_ source: MetricObservation.Source = .external, _ value: Double, target: Double, name: String = "queue_depth") -> MetricObservation {
        MetricObservation(name: name, source: source, target: .averageValue(milli: MilliValue.of(units: target)), reading: .value(milli: MilliValue.of(units: value), pods: PodCount(total: 0, ready: 0)))
    }

    /// An external metric that proposes exactly `replicas` when they differ from the status
    /// replicas by more than the tolerance (value over a per-pod target of 1).
    static func proposing(_ replicas: Int, name: String = "queue_depth") -> MetricObservation {
        averageValue(.external, Double(replicas), target: 1, name: name)
    }

    static func unreadable(_ source: MetricObservation.Source = .external) -> MetricObservation {
        MetricObservation(name: "lag", source: source, target: .value(milli: 10_000), reading: .unavailable("the adapter is down"))
    }

    /// A behavior written as the YAML/JSON of an AutoscaleRule (`{}` for all defaults).
    static func behavior(_ json: String) -> AutoscaleRule.Behavior {
        do {
            return try JSONDecoder().decode(AutoscaleRule.Behavior.self, from: Data(json.utf8))
        } catch {
            preconditionFailure("test behavior does not decode: \(error)")
        }
    }

    static func ready(_ count: Int) -> PodCount {
        PodCount(total: count, ready: count)
    }
}
