import Foundation
import JSON
@testable import MockCluster
import Testing

/// Resource quantities in pods and pod templates, as kube-apiserver decodes, validates and stores
/// them: a value that is no quantity fails decoding (400), a negative one, a request above its
/// limit or a resource no container may ask for fails validation (422), and what is stored is the
/// quantity's canonical text.
@Suite(.tags(.unit)) struct QuantityTests {
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"
    static let formatMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

    private static func deployment(resources: JSONValue) -> JSONValue {
        var deployment = Harness.deployment("web", replicas: 1)
        deployment[path: ["spec", "template", "spec", "containers"]] = [["name": "web", "image": "registry.gov/web:1.0", "resources": resources]]
        return deployment
    }

    @Test(arguments: [
        ("1000m", "1"), ("0.5", "500m"), ("500m", "500m"), ("1.5", "1500m"), ("2", "2"), ("1000", "1k"), ("100Mi", "100Mi"),
        ("1024Mi", "1Gi"), ("1536Mi", "1536Mi"), ("1.5Gi", "1536Mi"), ("0.5Gi", "512Mi"), ("512Ki", "512Ki"), ("8Gi", "8Gi"),
        ("1e9", "1e9"), ("1e3", "1e3"), ("1E3", "1E3"), ("1.5e3", "1500"), ("0.1n", "1n"), ("0.0000000001", "1n"), ("0", "0"),
        ("0.0", "0"), ("00", "0"), ("1.G", "1.G"), ("100m", "100m"), ("0.25", "250m"), ("1000Ki", "1000Ki"), ("128974848", "128974848"),
        ("129e6", "129e6"), ("123Mi", "123Mi"), ("-1", "-1"), ("0.5Ki", "512"), ("1Ki", "1Ki"), ("1000E", "1e21"), ("16Ei", "9223372036854775807"),
    ])
    func quantitiesParseAndPrintAsTheApiserverDoes(text: String, canonical: String) throws {
        #expect(try Quantity(parsing: text).storedText == canonical)
    }

    @Test(arguments: [
        ("abc", Quantity.ParseError.format), ("", .format), ("1.2.3", .format), ("12abc", .format), ("1Kb", .format),
        ("1kk", .suffix), ("1ki", .suffix), ("1 Gi", .format), ("1e", .suffix),
    ])
    func malformedQuantitiesAreRefusedWithGosError(text: String, error: Quantity.ParseError) {
        #expect(throws: error) { try Quantity(parsing: text) }
    }

    @Test func aValueThatIsNoQuantityFailsDecodingWith400() {
        var harness = Harness()
        let answer = harness.send("POST", Self.deployments, Self.deployment(resources: ["requests": ["cpu": "abc"]]))
        #expect(answer.status == 400)
        #expect(answer.json["reason"] == "BadRequest")
        #expect(answer.json["message"] == .string(#"Deployment in version "v1" cannot be handled as a Deployment: "# + Self.formatMessage))
        var pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": [
            "containers": [["name": "c", "image": "i:1"]], "initContainers": [["name": "i", "image": "i:1", "resources": ["limits": ["memory": "1kk"]]]],
        ]]
        let refused = harness.send("POST", "/api/v1/namespaces/default/pods", pod)
        #expect(refused.status == 400)
        #expect(refused.json["message"] == #"Pod in version "v1" cannot be handled as a Pod: unable to parse quantity's suffix"#)
        pod[path: ["spec", "initContainers"]] = nil
        pod[path: ["spec", "containers"]] = [["name": "c", "image": "i:1", "resources": ["limits": ["cpu": true]]]]
        #expect(harness.send("POST", "/api/v1/namespaces/default/pods", pod).status == 400)
        var job = Harness.job("once")
        job[path: ["spec", "template", "spec", "containers"]] = [["name": "w", "image": "i:1", "resources": ["requests": ["memory": "lots"]]]]
        let jobAnswer = harness.send("POST", "/apis/batch/v1/namespaces/default/jobs", job)
        #expect(jobAnswer.json["message"] == .string(#"Job in version "v1" cannot be handled as a Job: "# + Self.formatMessage))
    }

    @Test func numbersAreQuantitiesAndQuantitiesAreStoredCanonical() {
        var harness = Harness()
        let answer = harness.send("POST", Self.deployments, Self.deployment(resources: [
            "requests": ["cpu": 1, "memory": "1024Mi"], "limits": ["cpu": 2.5, "memory": "2Gi", "ephemeral-storage": "1000M"],
        ]))
        #expect(answer.status == 201)
        let resources = answer.json[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["resources"]
        #expect(resources == ["requests": ["cpu": "1", "memory": "1Gi"], "limits": ["cpu": "2500m", "memory": "2Gi", "ephemeral-storage": "1G"]])
    }

    @Test func negativeQuantitiesAndRequestsAboveLimitsAreInvalid() {
        var harness = Harness()
        let answer = harness.send("POST", Self.deployments, Self.deployment(resources: [
            "requests": ["cpu": "2", "memory": "-1Gi"], "limits": ["cpu": "1000m"],
        ]))
        #expect(answer.status == 422)
        let container = "spec.template.spec.containers[0].resources"
        #expect(answer.json[path: ["details", "causes"]] == [
            ["reason": "FieldValueInvalid", "message": #"Invalid value: "2": must be less than or equal to cpu limit of 1"#, "field": .string("\(container).requests")],
            ["reason": "FieldValueInvalid", "message": #"Invalid value: "-1Gi": must be greater than or equal to 0"#, "field": .string("\(container).requests[memory]")],
        ])
        #expect(answer.json["message"] == .string(#"Deployment.apps "web" is invalid: [\#(container).requests: Invalid value: "2": must be less than or equal to cpu limit of 1, \#(container).requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0]"#))
    }

    @Test func resourceNamesMustBeOnesAContainerMayAskFor() {
        var harness = Harness()
        let answer = harness.send("POST", Self.deployments, Self.deployment(resources: [
            "limits": ["gpu": "1", "pods": "1", "example.com/dongle": "2", "bad name": "1"], "requests": ["example.com/dongle": "1"],
        ]))
        #expect(answer.status == 422)
        let limits = "spec.template.spec.containers[0].resources.limits"
        let causes = (answer.json[path: ["details", "causes"]]?.arrayValue ?? []).map { "\($0["field"]?.stringValue ?? ""): \($0["message"]?.stringValue ?? "")" }
        #expect(causes == [
            "\(limits)[bad name]: Invalid value: \"bad name\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            "\(limits)[gpu]: Invalid value: \"gpu\": must be a standard resource type or fully qualified",
            "\(limits)[gpu]: Invalid value: \"gpu\": must be a standard resource for containers",
            "\(limits)[pods]: Invalid value: \"pods\": must be a standard resource for containers",
            "spec.template.spec.containers[0].resources.requests: Invalid value: \"1\": must be equal to example.com/dongle limit of 2",
        ])
    }

    @Test func anExtendedResourceNeedsALimit() {
        var harness = Harness()
        let answer = harness.send("POST", Self.deployments, Self.deployment(resources: ["requests": ["example.com/dongle": "1"]]))
        #expect(answer.status == 422)
        #expect(answer.json[path: ["details", "causes"]]?.arrayValue?.first == [
            "reason": "FieldValueRequired", "message": "Required value: Limit must be set for non overcommitable resources",
            "field": "spec.template.spec.containers[0].resources.limits",
        ])
    }
}
