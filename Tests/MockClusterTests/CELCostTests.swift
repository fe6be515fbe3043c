import Foundation
import JSON
import Testing
@testable import MockCluster

/// The cost limits kube-apiserver puts on CEL: a CRD whose rules are estimated too expensive is
/// refused at creation, and an evaluation over the per-call limit is cancelled.
@Suite(.tags(.unit)) struct CELCostTests {
    static let definitions = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    static let hint = "(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)"

    static func definition(spec: JSONValue) -> JSONValue {
        [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "widgets.test.gov"],
            "spec": [
                "group": "test.gov", "scope": "Namespaced", "names": ["kind": "Widget", "plural": "widgets"],
                "versions": [[
                    "name": "v1", "served": true, "storage": true,
                    "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": spec]]],
                ]],
            ],
        ]
    }

    static func names(maxItems: Int?, maxLength: Int?) -> JSONValue {
        var items: JSONValue = ["type": "string"]
        if let maxLength { items["maxLength"] = .int(maxLength) }
        var names: JSONValue = ["type": "array", "items": items, "x-kubernetes-validations": [["rule": "self.all(x, x.matches('^[a-z]+$'))"]]]
        if let maxItems { names["maxItems"] = .int(maxItems) }
        return ["type": "object", "properties": ["names": names]]
    }

    static func causes(_ result: (status: Int, json: JSONValue, response: APIResponse)) -> [String] {
        (result.json[path: ["details", "causes"]]?.arrayValue ?? []).map { "\($0["field"]?.stringValue ?? ""): \($0["message"]?.stringValue ?? "")" }
    }

    @Test func anUnboundedListRuleIsRefusedWithTheApiserversMessages() {
        var harness = Harness()
        let refused = harness.send("POST", Self.definitions, Self.definition(spec: Self.names(maxItems: nil, maxLength: nil)))
        #expect(refused.status == 422)
        #expect(refused.json["reason"] == "Invalid")
        let rule = "spec.validation.openAPIV3Schema.properties[spec].properties[names].x-kubernetes-validations[0].rule"
        #expect(Self.causes(refused) == [
            "\(rule): Forbidden: estimated rule cost exceeds budget by factor of more than 100x \(Self.hint)",
            "\(rule): Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema",
            "spec.validation.openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x \(Self.hint)",
        ])
        // Bounded, the same rule is cheap: 10 names of at most 20 characters.
        #expect(harness.send("POST", Self.definitions, Self.definition(spec: Self.names(maxItems: 10, maxLength: 20))).status == 201)
    }

    /// A rule on the items of a list runs once per item: without `maxItems` the estimate assumes
    /// as many items as fit in a request; with it, only that many.
    @Test func rulesUnderAListAreMultipliedByItsCardinality() {
        func spec(maxItems: Int?) -> JSONValue {
            var list: JSONValue = [
                "type": "array",
                "items": [
                    "type": "object", "properties": ["name": ["type": "string", "maxLength": 1000]],
                    "x-kubernetes-validations": [["rule": "self.name.contains('abc')"]],
                ],
            ]
            if let maxItems { list["maxItems"] = .int(maxItems) }
            return ["type": "object", "properties": ["items": list]]
        }
        var harness = Harness()
        let refused = harness.send("POST", Self.definitions, Self.definition(spec: spec(maxItems: nil)))
        #expect(refused.status == 422)
        // 402 per item (a tenth of 4,000 bytes times one, and the selections) times 1,048,576 items
        #expect(Self.causes(refused).first == "spec.validation.openAPIV3Schema.properties[spec].properties[items].items.x-kubernetes-validations[0].rule: "
            + "Forbidden: estimated rule cost exceeds budget by factor of 42.2x \(Self.hint)")
        #expect(harness.send("POST", Self.definitions, Self.definition(spec: spec(maxItems: 10))).status == 201)
    }

    /// The per-call limit: a rule within the static budget whose evaluation goes over 1,000,000.
    @Test func anEvaluationOverThePerCallLimitIsCancelled() {
        let rule = "self.all(x, self.all(y, x + y >= 0))"
        let spec: JSONValue = [
            "type": "object",
            "properties": ["numbers": ["type": "array", "maxItems": 400, "items": ["type": "integer"], "x-kubernetes-validations": [["rule": .string(rule)]]]],
        ]
        var harness = Harness()
        #expect(harness.send("POST", Self.definitions, Self.definition(spec: spec)).status == 201)
        let widgets = "/apis/test.gov/v1/namespaces/default/widgets"
        let small: JSONValue = ["apiVersion": "test.gov/v1", "kind": "Widget", "metadata": ["name": "small"], "spec": ["numbers": [1, 2, 3]]]
        #expect(harness.send("POST", widgets, small).status == 201)
        let numbers = JSONValue.array((0..<400).map { .int($0) })
        let big: JSONValue = ["apiVersion": "test.gov/v1", "kind": "Widget", "metadata": ["name": "big"], "spec": ["numbers": numbers]]
        let refused = harness.send("POST", widgets, big)
        #expect(refused.status == 422)
        #expect(Self.causes(refused) == [
            "spec.numbers: Invalid value: \"array\": 'operation cancelled: actual cost limit exceeded': "
                + "no further validation rules will be run due to call cost exceeds limit for rule: \(rule)",
        ])
    }

    @Test func aPolicyExpressionOverThePerCallLimitFailsAsAnError() {
        let list = "[" + (0..<400).map(String.init).joined(separator: ", ") + "]"
        let expression = "\(list).all(x, \(list).all(y, x + y >= 0))"
        var harness = Harness()
        let policy = AdmissionPolicyTests.policy("costly", validations: [["expression": .string(expression)]])
        #expect(harness.send("POST", AdmissionPolicyTests.policies, policy).status == 201)
        #expect(harness.send("POST", AdmissionPolicyTests.bindings, AdmissionPolicyTests.binding("costly-binding", policy: "costly")).status == 201)
        let denied = harness.send("POST", AdmissionPolicyTests.deployments, Harness.deployment("web", replicas: 1))
        #expect(denied.status == 422)
        #expect(denied.json["message"]?.stringValue?.hasSuffix(
            "with binding 'costly-binding' denied request: expression '\(expression)' resulted in error: operation cancelled: actual cost limit exceeded") == true)
    }
}
