import Foundation
import JSON
import Testing
@testable import MockCluster

/// Custom resources checked against their definition's schema and CEL rules, with the apiserver's
/// statuses, messages and causes.
@Suite(.tags(.unit)) struct CustomResourceSchemaTests {
    static let widgets = "/apis/test.gov/v1/namespaces/default/widgets"

    /// A definition with one field per schema keyword, and rules on the spec.
    static let definition: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "widgets.test.gov"],
        "spec": [
            "group": "test.gov", "scope": "Namespaced", "names": ["kind": "Widget", "plural": "widgets"],
            "versions": [[
                "name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
                "schema": ["openAPIV3Schema": [
                    "type": "object",
                    "properties": [
                        "apiVersion": ["type": "string"], "kind": ["type": "string"], "metadata": ["type": "object"],
                        "spec": [
                            "type": "object", "required": ["name"],
                            "properties": [
                                "replicas": ["type": "integer", "format": "int32", "minimum": 0, "maximum": 10],
                                "port": ["type": "integer", "format": "int64", "minimum": 1, "maximum": 65535],
                                "name": ["type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"],
                                "mode": ["type": "string", "enum": ["fast", "slow"]],
                                "ratio": ["type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1],
                                "tags": ["type": "array", "items": ["type": "string"], "minItems": 1, "maxItems": 2, "uniqueItems": true],
                                "size": ["x-kubernetes-int-or-string": true],
                                "labels": ["type": "object", "additionalProperties": ["type": "string"], "maxProperties": 2],
                                "ports": [
                                    "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                                    "items": ["type": "object", "required": ["name"],
                                              "properties": ["name": ["type": "string"], "number": ["type": "integer"]]],
                                ],
                                "note": ["type": "string", "nullable": true],
                                "tier": ["type": "string", "default": "gold"],
                                "extra": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                            ],
                            "x-kubernetes-validations": [
                                ["rule": "!has(self.replicas) || self.replicas <= 5 || self.mode == 'fast'", "message": "more than 5 replicas need mode fast"],
                                ["rule": "!has(self.replicas) || !has(oldSelf.replicas) || self.replicas >= oldSelf.replicas",
                                 "fieldPath": ".replicas",
                                 // Not `'...' + string(oldSelf.replicas)`: a string() result has no size bound, and a
                                 // real cluster refuses that messageExpression as too expensive.
                                 "messageExpression": "oldSelf.replicas == 4 ? 'replicas may not go down from 4' : 'replicas may not go down'"],
                            ],
                        ],
                        "status": ["type": "object", "properties": ["phase": ["type": "string", "enum": ["Ready", "Pending"]]]],
                    ],
                ]],
            ]],
        ],
    ]

    static func widget(_ spec: JSONValue, name: String = "w") -> JSONValue {
        ["apiVersion": "test.gov/v1", "kind": "Widget", "metadata": ["name": .string(name)], "spec": spec]
    }

    static func harness() -> Harness {
        var harness = Harness()
        let created = harness.send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", definition)
        #expect(created.status == 201, "\(created.json)")
        return harness
    }

    static func causes(_ status: JSONValue) -> [JSONValue] { status[path: ["details", "causes"]]?.arrayValue ?? [] }

    static let unchecked = "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"

    @Test func typesAreCheckedAsKubeOpenAPIReportsThem() {
        var harness = Self.harness()
        let result = harness.send("POST", Self.widgets, Self.widget(["name": "ab", "replicas": "3", "tags": "x", "mode": 1]))
        #expect(result.status == 422)
        #expect(result.json["reason"] == "Invalid")
        #expect(result.json["message"] == .string(
            "Widget.test.gov \"w\" is invalid: [spec.mode: Invalid value: \"integer\": spec.mode in body must be of type string: \"integer\", "
                + "spec.mode: Unsupported value: 1: supported values: \"fast\", \"slow\", "
                + "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\", "
                + "spec.tags: Invalid value: \"string\": spec.tags in body must be of type array: \"string\", \(Self.unchecked)]"))
        #expect(result.json["details"]?["kind"] == "Widget")
        #expect(result.json["details"]?["group"] == "test.gov")
        #expect(Self.causes(result.json).first == [
            "reason": "FieldValueTypeInvalid", "field": "spec.mode",
            "message": "Invalid value: \"integer\": spec.mode in body must be of type string: \"integer\"",
        ])
        #expect(Self.causes(result.json).map { $0["reason"] } == [
            "FieldValueTypeInvalid", "FieldValueNotSupported", "FieldValueTypeInvalid", "FieldValueTypeInvalid", "FieldValueInvalid",
        ])
    }

    @Test func boundsLengthsPatternsAndCounts() {
        var harness = Self.harness()
        let spec: JSONValue = [
            "name": "Abcdef", "port": 70000, "replicas": -1, "ratio": 0, "tags": ["a", "a", "b"],
            "labels": ["a": "1", "b": "2", "c": "3"], "size": true,
        ]
        let result = harness.send("POST", Self.widgets, Self.widget(spec))
        #expect(result.status == 422)
        let messages = Self.causes(result.json).map { "\($0["field"]?.stringValue ?? ""): \($0["message"]?.stringValue ?? "")" }
        #expect(messages == [
            "spec.labels: Too many: 3: must have at most 2 items",
            "spec.name: Too long: may not be more than 5 bytes",
            "spec.port: Invalid value: 70000: spec.port in body should be less than or equal to 65535",
            "spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0",
            "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0",
            "spec.size: Invalid value: \"boolean\": spec.size in body must be of type integer,string: \"boolean\"",
            "spec.tags: Too many: 3: must have at most 2 items",
            "spec.tags: Invalid value: \"\": spec.tags in body shouldn't contain duplicates",
            Self.unchecked,
        ])
        #expect(Self.causes(result.json)[1]["reason"] == "FieldValueTooLong")
        #expect(Self.causes(result.json)[0]["reason"] == "FieldValueTooMany")
        let short = harness.send("POST", Self.widgets, Self.widget(["name": "A", "tags": [], "replicas": 3_000_000_000, "mode": "fast"]))
        #expect(short.json["message"] == .string(
            "Widget.test.gov \"w\" is invalid: [spec.name: Invalid value: \"A\": spec.name in body should be at least 2 chars long, "
                + "<nil>: Invalid value: \"\": Checked value must be of type integer with format int32 in spec.replicas, "
                + "spec.replicas: Invalid value: 3000000000: spec.replicas in body should be less than or equal to 10, "
                + "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items]"))
        let pattern = harness.send("POST", Self.widgets, Self.widget(["name": "a1"]))
        #expect(Self.causes(pattern.json).first?["message"] == "Invalid value: \"a1\": spec.name in body should match '^[a-z]+$'")
    }

    @Test func requiredNullableAndListMapKeys() {
        var harness = Self.harness()
        let result = harness.send("POST", Self.widgets, Self.widget([
            "note": .null, "mode": .null, "ports": [["name": "http", "number": 80], ["name": "http", "number": 81], ["number": 1]],
        ]))
        #expect(result.status == 422)
        let messages = Self.causes(result.json).map { "\($0["field"]?.stringValue ?? ""): \($0["message"]?.stringValue ?? "")" }
        // A null the schema does not allow is dropped (mode); a nullable one stays (note).
        #expect(messages == [
            "spec.ports[2].name: Required value", "spec.name: Required value",
            "spec.ports[1]: Duplicate value: {\"name\":\"http\"}", Self.unchecked,
        ])
        #expect(Self.causes(result.json)[1]["reason"] == "FieldValueRequired")
    }

    @Test func unknownFieldsArePrunedWarnedOrRefused() {
        var harness = Self.harness()
        let body = Self.widget(["name": "ab", "healthChek": ["path": "/"], "extra": ["free": 1]])
        // No directive is Warn: stored without the field, with a Warning header.
        let warned = harness.send("POST", Self.widgets, body)
        #expect(warned.status == 201)
        #expect(warned.response.warnings == ["unknown field \"spec.healthChek\""])
        #expect(warned.json["spec"] == ["name": "ab", "extra": ["free": 1], "tier": "gold"])
        // Strict: a create is a 400 naming every unknown field.
        let strict = harness.send("POST", Self.widgets + "?fieldValidation=Strict", Self.widget(["name": "ab", "healthChek": 1, "zz": 2], name: "v"))
        #expect(strict.status == 400)
        #expect(strict.json["reason"] == "BadRequest")
        #expect(strict.json["message"] == "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"spec.healthChek\", unknown field \"spec.zz\"")
        // Ignore: dropped silently.
        let ignored = harness.send("POST", Self.widgets + "?fieldValidation=Ignore", Self.widget(["name": "ab", "healthChek": 1], name: "u"))
        #expect(ignored.status == 201)
        #expect(ignored.response.warnings.isEmpty)
        #expect(ignored.json[path: ["spec", "healthChek"]] == nil)
        // A patch under Strict is a 422 that shows the patched object.
        let patched = harness.send("PATCH", Self.widgets + "/w?fieldValidation=Strict", ["metadata": ["labels": ["a": "b"]], "spec": ["healthChek": 1]],
                                   contentType: "application/merge-patch+json")
        #expect(patched.status == 422)
        let message = patched.json["message"]?.stringValue ?? ""
        #expect(message.hasPrefix(" \"\" is invalid: patch: Invalid value: \"{\\\"apiVersion\\\":\\\"test.gov/v1\\\""))
        #expect(message.hasSuffix("\": strict decoding error: unknown field \"spec.healthChek\""))
        let sloppy = harness.send("POST", Self.widgets + "?fieldValidation=Sloppy", Self.widget(["name": "ab"], name: "t"))
        #expect(sloppy.status == 422)
        #expect(sloppy.json["message"]
            == "CreateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"Sloppy\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"")
    }

    @Test func celRulesWithSelfOldSelfMessagesAndFieldPath() {
        var harness = Self.harness()
        let tooMany = harness.send("POST", Self.widgets, Self.widget(["name": "ab", "replicas": 7, "mode": "slow"]))
        #expect(tooMany.status == 422)
        #expect(tooMany.json["message"] == "Widget.test.gov \"w\" is invalid: spec: Invalid value: more than 5 replicas need mode fast")
        #expect(Self.causes(tooMany.json) == [["reason": "FieldValueInvalid", "field": "spec", "message": "Invalid value: more than 5 replicas need mode fast"]])
        // The transition rule does not run on create, and runs on update with oldSelf.
        #expect(harness.send("POST", Self.widgets, Self.widget(["name": "ab", "replicas": 4])).status == 201)
        let down = harness.send("PUT", Self.widgets + "/w", Self.widget(["name": "ab", "replicas": 2]))
        #expect(down.status == 422)
        #expect(down.json["message"] == "Widget.test.gov \"w\" is invalid: spec.replicas: Invalid value: replicas may not go down from 4")
        #expect(harness.send("PUT", Self.widgets + "/w", Self.widget(["name": "ab", "replicas": 5])).status == 200)
    }

    @Test func statusWritesAreValidatedAgainstTheStatusSchema() {
        var harness = Self.harness()
        var object = harness.send("POST", Self.widgets, Self.widget(["name": "ab"])).json
        object["status"] = ["phase": "Broken"]
        let result = harness.send("PUT", Self.widgets + "/w/status", object)
        #expect(result.status == 422)
        #expect(result.json["message"] == .string("Widget.test.gov \"w\" is invalid: [status.phase: Unsupported value: \"Broken\": supported values: \"Ready\", \"Pending\", \(Self.unchecked)]"))
        object["status"] = ["phase": "Ready"]
        #expect(harness.send("PUT", Self.widgets + "/w/status", object).status == 200)
    }

    @Test func definitionsWithRulesOutsideTheSubsetOrNotStructuralAreRefused() {
        var harness = Harness()
        var definition = Self.definition
        definition[path: ["spec", "versions"]] = [[
            "name": "v1", "served": true, "storage": true,
            "schema": ["openAPIV3Schema": [
                "type": "object",
                "properties": [
                    "spec": ["type": "object", "properties": ["a": ["description": "no type"]],
                             "x-kubernetes-validations": [["rule": "slef.a > 0", "message": "a <b>"]]],
                ],
            ]],
        ]]
        let result = harness.send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", definition)
        #expect(result.status == 422)
        let prefix = "spec.validation.openAPIV3Schema.properties[spec]"
        #expect(result.json["message"] == .string(
            "CustomResourceDefinition.apiextensions.k8s.io \"widgets.test.gov\" is invalid: ["
                + "\(prefix).properties[a].type: Required value: must not be empty for specified object fields, "
                + "\(prefix).x-kubernetes-validations[0].rule: Invalid value: {\"rule\":\"slef.a \\u003e 0\",\"message\":\"a \\u003cb\\u003e\"}: "
                + "compilation failed: ERROR: <input>:1:1: undeclared reference to 'slef' (the variables here are oldSelf, self)\n | slef.a > 0\n | ^]"))
        #expect(harness.send("GET", Self.widgets).status == 404)
    }

    static func gadgetDefinition(maxNameLength: Int) -> JSONValue {
        [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "gadgets.test.gov"],
            "spec": [
                "group": "test.gov", "scope": "Namespaced", "names": ["kind": "Gadget", "plural": "gadgets"],
                "versions": [[
                    "name": "v1", "served": true, "storage": true,
                    "schema": ["openAPIV3Schema": [
                        "type": "object",
                        "properties": [
                            "spec": [
                                "type": "object",
                                "properties": [
                                    "name": ["type": "string", "maxLength": .int(maxNameLength)],
                                    "other": ["type": "string"],
                                    "limits": ["type": "object", "additionalProperties": ["type": "integer", "maximum": 5]],
                                    "template": ["type": "object", "x-kubernetes-embedded-resource": true,
                                                 "properties": ["spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]],
                                    "policy": ["type": "object", "default": ["mode": "auto"],
                                               "properties": ["mode": ["type": "string"], "level": ["type": "integer", "default": 3]]],
                                ],
                            ],
                        ],
                    ]],
                ]],
            ],
        ]
    }

    /// What a real API server would enforce and the mock cannot is refused, never ignored.
    @Test func definitionsUsingWhatTheMockCannotEnforceAreRefusedAsNotImplemented() {
        for (member, shown) in [
            (["type": "integer", "multipleOf": 5] as JSONValue, "properties[spec].properties[step].multipleOf"),
            (["type": "string", "format": "date-time"], "properties[spec].properties[step].format (date-time)"),
            (["type": "integer", "anyOf": [["minimum": 1], ["maximum": 10]]], "properties[spec].properties[step].anyOf"),
        ] {
            var harness = Harness()
            var definition = Self.definition
            definition[path: ["spec", "versions"]] = .array((definition[path: ["spec", "versions"]]?.arrayValue ?? []).map { version in
                var version = version
                version[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "step"]] = member
                return version
            })
            let refused = harness.send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", definition)
            #expect(refused.status == 501)
            #expect(refused.json["reason"] == "NotImplemented")
            #expect(refused.json["message"]?.stringValue?.contains("spec.versions[0].schema.openAPIV3Schema.\(shown)") == true)
        }
    }

    @Test func embeddedResourcesMapsDefaultsAndMetadataPruning() {
        var harness = Harness()
        #expect(harness.send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Self.gadgetDefinition(maxNameLength: 10)).status == 201)
        let path = "/apis/test.gov/v1/namespaces/default/gadgets"
        let bad = harness.send("POST", path, [
            "apiVersion": "test.gov/v1", "kind": "Gadget", "metadata": ["name": "g"],
            "spec": ["limits": ["cpu": 9], "template": ["kind": "", "spec": ["free": true]]],
        ])
        #expect(bad.status == 422)
        #expect(Self.causes(bad.json).map { "\($0["field"]?.stringValue ?? ""): \($0["message"]?.stringValue ?? "")" } == [
            "spec.limits.cpu: Invalid value: 9: spec.limits.cpu in body should be less than or equal to 5",
            "spec.template.apiVersion: Required value", "spec.template.kind: Invalid value: \"\": must not be empty",
        ])
        let good = harness.send("POST", path, [
            "apiVersion": "test.gov/v1", "kind": "Gadget", "metadata": ["name": "g", "flavour": "x"],
            "spec": ["template": ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p", "bogus": 1], "spec": ["free": true]]],
        ])
        #expect(good.status == 201)
        #expect(good.response.warnings == ["unknown field \"metadata.flavour\"", "unknown field \"spec.template.metadata.bogus\""])
        #expect(good.json[path: ["metadata", "flavour"]] == nil)
        #expect(good.json[path: ["spec", "template"]] == ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": ["free": true]])
        // A default object is filled, then defaulted inside.
        #expect(good.json[path: ["spec", "policy"]] == ["mode": "auto", "level": 3])
    }

    @Test func unchangedValuesAreNotJudgedAgainAfterTheSchemaTightens() {
        var harness = Harness()
        let definitions = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
        harness.send("POST", definitions, Self.gadgetDefinition(maxNameLength: 10))
        let path = "/apis/test.gov/v1/namespaces/default/gadgets"
        let gadget: JSONValue = ["apiVersion": "test.gov/v1", "kind": "Gadget", "metadata": ["name": "g"], "spec": ["name": "abcdefgh"]]
        #expect(harness.send("POST", path, gadget).status == 201)
        var tighter = Self.gadgetDefinition(maxNameLength: 4)
        tighter[path: ["metadata", "resourceVersion"]] = nil
        #expect(harness.send("PUT", definitions + "/gadgets.test.gov", tighter).status == 200)
        // Another field changes: the long name, unchanged, passes; a new long name does not.
        #expect(harness.send("PATCH", path + "/g", ["spec": ["other": "x"]], contentType: "application/merge-patch+json").status == 200)
        let changed = harness.send("PATCH", path + "/g", ["spec": ["name": "abcdefghi"]], contentType: "application/merge-patch+json")
        #expect(changed.json["message"] == "Gadget.test.gov \"g\" is invalid: spec.name: Too long: may not be more than 4 bytes")
    }

    /// Applies one of our CRDs from manifests/crds, as YAML.
    static func applyOurDefinition(_ file: String, to harness: inout Harness) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let yaml = try Data(contentsOf: root.appendingPathComponent("manifests/crds/\(file)"))
        let created = harness.cluster.handle(
            APIRequest(method: "POST", target: "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                       headers: ["content-type": "application/yaml"], body: Array(yaml)), now: harness.now)
        #expect(created.status == 201)
    }

    @Test func aDirectiveOfAThousandJobsIsAcceptedAndDuplicateIdsAreNot() throws {
        var harness = Harness()
        try Self.applyOurDefinition("ops.hms.gov_directives.yaml", to: &harness)
        func directive(_ ids: [String]) -> JSONValue {
            ["apiVersion": "ops.hms.gov/v1alpha1", "kind": "Directive", "metadata": ["name": "d"],
             "spec": ["schedule": "0 2 * * *", "template": ["image": "registry.gov/batch:1"], "jobs": .array(ids.map { ["id": .string($0)] })]]
        }
        let path = "/apis/ops.hms.gov/v1alpha1/namespaces/default/directives"
        let duplicate = harness.send("POST", path, directive(["a", "b", "a"]))
        #expect(duplicate.json["message"] == "Directive.ops.hms.gov \"d\" is invalid: spec.jobs[2]: Duplicate value: {\"id\":\"a\"}")
        #expect(Self.causes(duplicate.json).first?["reason"] == "FieldValueDuplicate")
        let thousand = harness.send("POST", path, directive((0..<1_000).map { "job-\($0)" }))
        #expect(thousand.status == 201, "\(thousand.json["message"] ?? .null)")
    }

    @Test func aDefaultAddedLaterIsReadOnObjectsStoredBefore() {
        var harness = Harness()
        let definitions = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
        harness.send("POST", definitions, Self.gadgetDefinition(maxNameLength: 10))
        let path = "/apis/test.gov/v1/namespaces/default/gadgets"
        let stored = harness.send("POST", path, ["apiVersion": "test.gov/v1", "kind": "Gadget", "metadata": ["name": "g"], "spec": ["name": "a"]]).json
        #expect(stored[path: ["spec", "other"]] == nil)
        var withDefault = Self.gadgetDefinition(maxNameLength: 10)
        withDefault[path: ["spec", "versions"]] = .array((withDefault[path: ["spec", "versions"]]?.arrayValue ?? []).map { version in
            var version = version
            version[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "other", "default"]] = "none"
            return version
        })
        #expect(harness.send("PUT", definitions + "/gadgets.test.gov", withDefault).status == 200)
        let read = harness.get(path + "/g")
        #expect(read[path: ["spec", "other"]] == "none")
        #expect(read[path: ["metadata", "resourceVersion"]] == stored[path: ["metadata", "resourceVersion"]])
    }

    @Test func ourOwnDefinitionRefusesWhatTheIssueNames() throws {
        var harness = Harness()
        try Self.applyOurDefinition("ops.hms.gov_servicespecs.yaml", to: &harness)
        let path = "/apis/ops.hms.gov/v1alpha1/namespaces/default/servicespecs"
        func spec(_ fields: JSONValue, name: String = "web") -> JSONValue {
            ["apiVersion": "ops.hms.gov/v1alpha1", "kind": "ServiceSpec", "metadata": ["name": .string(name)], "spec": fields]
        }
        let replicas = harness.send("POST", path, spec(["image": "registry.gov/web:1", "replicas": "3"]))
        #expect(replicas.json["message"] == .string(
            "ServiceSpec.ops.hms.gov \"web\" is invalid: [spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\", \(Self.unchecked)]"))
        let port = harness.send("POST", path, spec(["image": "registry.gov/web:1", "port": 70000]))
        #expect(port.json["message"] == "ServiceSpec.ops.hms.gov \"web\" is invalid: spec.port: Invalid value: 70000: spec.port in body should be less than or equal to 65535")
        let strict = harness.send("POST", path + "?fieldValidation=Strict", spec(["image": "registry.gov/web:1", "healthChek": ["path": "/"]]))
        #expect(strict.status == 400)
        let name = harness.send("POST", path, spec(["image": "registry.gov/web:1"], name: "web.v2"))
        #expect(name.json["message"] == "ServiceSpec.ops.hms.gov \"web.v2\" is invalid: <nil>: Invalid value: the name also names a Service: a DNS-1035 label (lower case letters, digits and '-', starting with a letter, at most 63 characters)")
        #expect(harness.send("POST", path, spec(["image": "registry.gov/web:1", "replicas": 3, "resources": ["cpu": "500m"]])).status == 201)
    }
}
