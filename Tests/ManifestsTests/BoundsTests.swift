import Foundation
import Manifests
import JSON
import Model
import Testing

/// The manifest decoder checks the bounds on the document's nodes; `validate()` on the decoded
/// value (what the controller has for an object from the cluster). Both read the same table, and
/// must find the same issues.
@Suite(.tags(.unit)) struct BoundsTests {
    static func resources() throws -> [AnyResource] { [
        .budget(Budget(
            metadata: ObjectMeta(name: "aid"),
            spec: Budget.Spec(
                selector: LabelSelector(matchLabels: ["program": "aid"]), monthlyLimitUSD: 1e308,
                pricing: Budget.Pricing(cpuCoreHourUSD: -1, memoryGiBHourUSD: 2e6), softLimitPercent: 150, alertPercents: [0, 50, 101]))),
        .serviceSpec(ServiceSpec(
            metadata: ObjectMeta(name: "web"),
            spec: ServiceSpec.Spec(
                image: "registry.gov/web:1", replicas: 20_000, port: 70_000,
                resources: ResourceRequests(cpu: try? Quantity(parsing: "99999999999999999999Ei"), memory: try? Quantity(parsing: "0")),
                healthCheck: ServiceSpec.HealthCheck(path: "/health", periodSeconds: 0, failureThreshold: 1_000)))),
        .directive(Directive(
            metadata: ObjectMeta(name: "nightly"),
            spec: Directive.Spec(
                schedule: try CronSchedule(parsing: "@daily"),
                template: Directive.JobTemplate(image: "registry.gov/job:1"), jobs: [],
                retry: Directive.RetryPolicy(maxAttempts: 0, backoffSeconds: -1, backoffMultiplier: 1e9), maxRuntimeSeconds: Int.max))),
    ] }

    @Test func theDecoderAndValidateFindTheSameBounds() throws {
        for resource in try Self.resources() {
            let yaml = try ResourceWriter.yaml([resource])
            let decoded = ManifestDecoder().decode(Array(yaml.utf8), file: "bounds.yaml")
            let fromNodes = decoded.diagnostics.map { "\($0.path.map { "\($0)" } ?? ""): \($0.message)" }
            let fromValue = resource.resource.validate().map { "\($0.path): \($0.message)" }
            #expect(fromValue.count >= 4, "\(fromValue)")
            #expect(Set(fromNodes) == Set(fromValue))
        }
    }
}
