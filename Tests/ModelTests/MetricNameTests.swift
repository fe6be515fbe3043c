import JSON
import Model
import Testing

/// Metric names go into the metrics API's request path: only names that cannot shape it pass.
@Suite(.tags(.unit)) struct MetricNameTests {
    @Test func namesOfBothStylesPass() {
        for name in ["http_requests_per_second", "job:rps:rate5m", "requests-per-second", "queue.depth", "_private", "5xx"] {
            #expect(MetricName.problem(name) == nil, "\(name)")
        }
    }

    @Test func anythingAPathWouldNeedEscapedIsRefused() {
        let refused = ["", ".", "..", "a..b", "../secrets", "rps/x", "rps?watch=true", "rps%2F", "rps#x", "a b", "a\tb", "-rps", ":rps",
                       "rps\u{0}", "réseau", String(repeating: "a", count: 254)]
        for name in refused { #expect(MetricName.problem(name) != nil, "\(name)") }
        #expect(MetricName.problem(String(repeating: "a", count: 253)) == nil)
    }

    @Test func validateNamesTheMetricNameField() {
        let rule = AutoscaleRule(
            metadata: ObjectMeta(name: "web"),
            spec: .init(target: "web", maxReplicas: 4, metrics: [.init(type: .pods, name: "../../../../api/v1/namespaces/kube-system/secrets?x=", targetAverageValue: try? Quantity(parsing: "10"))]))
        let issues = rule.validate().filter { $0.path.description.hasSuffix("metrics[0].name") }
        #expect(issues.count == 1)
        #expect(issues.first?.message.contains("is not a valid metric name") == true)
    }
}
