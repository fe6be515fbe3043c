import JSON
import KubeProto
import Testing

@testable import MockCluster

/// `/openapi/v3` documents: the schemas `kubectl explain` walks, with their list keys, next to the
/// operations `kubectl apply` looks for.
@Suite(.tags(.unit)) struct OpenAPITests {
    static func document(_ harness: inout Harness, _ groupVersion: String) -> JSONValue {
        let url = harness.get("/openapi/v3")["paths"]?[groupVersion]?["serverRelativeURL"]?.stringValue ?? "missing"
        return harness.get(url)
    }

    static func schema(_ document: JSONValue, _ name: String) -> JSONValue? {
        document[path: ["components", "schemas", name]]
    }

    /// Every `$ref` in the document names a schema the document has: kubectl resolves them there.
    static func danglingReferences(_ document: JSONValue) -> [String] {
        let schemas = document[path: ["components", "schemas"]]?.objectValue ?? [:]
        return schemas.values.flatMap(OpenAPISchema.references).filter { schemas[$0] == nil }
    }

    @Test func aBuiltInKindHasItsSchemaWithEverythingItRefersTo() {
        var harness = Harness()
        let apps = Self.document(&harness, "apis/apps/v1")
        let deployment = Self.schema(apps, "io.k8s.api.apps.v1.Deployment")
        #expect(deployment?["x-kubernetes-group-version-kind"] == [["group": "apps", "kind": "Deployment", "version": "v1"]])
        #expect(deployment?[path: ["properties", "spec", "allOf"]] == [["$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"]])
        let spec = Self.schema(apps, "io.k8s.api.apps.v1.DeploymentSpec")
        #expect(spec?[path: ["properties", "replicas"]]?["format"] == "int32")
        #expect(spec?["required"] == ["selector", "template"])
        let containers = Self.schema(apps, "io.k8s.api.core.v1.PodSpec")?[path: ["properties", "containers"]]
        #expect(containers?["x-kubernetes-list-map-keys"] == ["name"])
        #expect(containers?["x-kubernetes-patch-merge-key"] == "name")
        let ports = Self.schema(apps, "io.k8s.api.core.v1.Container")?[path: ["properties", "ports"]]
        #expect(ports?["x-kubernetes-list-map-keys"] == ["containerPort", "protocol"])
        #expect(Self.danglingReferences(apps) == [])
        // The PATCH operation kubectl apply checks before it sends fieldValidation=Strict stays.
        #expect(apps["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]?["patch"] != nil)
    }

    @Test func everyServedGroupVersionHasCompleteSchemas() {
        var harness = Harness()
        let index = harness.get("/openapi/v3")["paths"]?.objectValue ?? [:]
        #expect(index.keys.sorted() == [
            "api/v1", "apis/admissionregistration.k8s.io/v1", "apis/apiextensions.k8s.io/v1", "apis/apps/v1",
            "apis/authentication.k8s.io/v1", "apis/authorization.k8s.io/v1", "apis/batch/v1", "apis/coordination.k8s.io/v1",
            "apis/rbac.authorization.k8s.io/v1",
        ])
        // Every kind served (stored, or answered like a review) has its schema.
        let served = harness.cluster.allTypes.filter { $0.isStored || $0.isCreateOnly }
        for type in served {
            let document = Self.document(&harness, OpenAPI.path(of: type))
            let kinds = (document[path: ["components", "schemas"]]?.objectValue ?? [:]).values.compactMap { $0["x-kubernetes-group-version-kind"] }
            #expect(kinds.contains([["group": .string(type.group), "kind": .string(type.kind), "version": .string(type.version)]]), "\(type.kind)")
        }
        for groupVersion in index.keys {
            let document = Self.document(&harness, groupVersion)
            #expect(Self.danglingReferences(document) == [], "\(groupVersion)")
        }
        let core = Self.document(&harness, "api/v1")
        #expect(Self.schema(core, "io.k8s.api.core.v1.ServiceSpec")?[path: ["properties", "ports", "x-kubernetes-list-map-keys"]] == ["port", "protocol"])
    }

    @Test func everyBuiltInSchemaReferenceResolves() {
        let all = BuiltInSchemas.all
        #expect(all.values.flatMap(OpenAPISchema.references).filter { all[$0] == nil } == [])
        #expect(BuiltInSchemas.kindNames["rbac.authorization.k8s.io/v1/RoleBinding"] == "io.k8s.api.rbac.v1.RoleBinding")
        #expect(BuiltInSchemas.kindNames["/v1/Secret"] == "io.k8s.api.core.v1.Secret")
    }

    @Test func aCustomResourceHasItsDefinitionsSchemaAndANewHashWhenItChanges() {
        var harness = Harness()
        var crd: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "servicespecs.ops.hms.gov"],
            "spec": [
                "group": "ops.hms.gov", "scope": "Namespaced",
                "names": ["kind": "ServiceSpec", "plural": "servicespecs", "singular": "servicespec"],
                "versions": [[
                    "name": "v1alpha1", "served": true, "storage": true,
                    "schema": ["openAPIV3Schema": [
                        "type": "object", "description": "A service to run.",
                        "properties": ["spec": ["type": "object", "description": "What to run.", "properties": ["image": ["type": "string"]]]],
                    ]],
                ]],
            ],
        ]
        #expect(harness.send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status == 201)
        let url = harness.get("/openapi/v3")["paths"]?["apis/ops.hms.gov/v1alpha1"]?["serverRelativeURL"]?.stringValue
        let document = Self.document(&harness, "apis/ops.hms.gov/v1alpha1")
        let schema = Self.schema(document, "gov.hms.ops.v1alpha1.ServiceSpec")
        #expect(schema?["x-kubernetes-group-version-kind"] == [["group": "ops.hms.gov", "kind": "ServiceSpec", "version": "v1alpha1"]])
        #expect(schema?[path: ["properties", "spec", "properties", "image", "type"]] == "string")
        #expect(schema?[path: ["properties", "metadata", "allOf"]] == [["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]])
        #expect(Self.danglingReferences(document) == [])

        // kubectl caches documents by hash: a changed schema must change it.
        let current = harness.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/servicespecs.ops.hms.gov")
        crd["metadata"] = current["metadata"]
        crd[path: ["spec", "versions"]] = [[
            "name": "v1alpha1", "served": true, "storage": true,
            "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": ["type": "object", "properties": ["replicas": ["type": "integer"]]]]]],
        ]]
        #expect(harness.send("PUT", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/servicespecs.ops.hms.gov", crd).status == 200)
        let changed = harness.get("/openapi/v3")["paths"]?["apis/ops.hms.gov/v1alpha1"]?["serverRelativeURL"]?.stringValue
        #expect(changed != url)
        #expect(Self.schema(Self.document(&harness, "apis/ops.hms.gov/v1alpha1"), "gov.hms.ops.v1alpha1.ServiceSpec")?[
            path: ["properties", "spec", "properties", "replicas", "type"]] == "integer")
    }

    @Test func version2IsProtobufWithEverySchemaAndItsKinds() throws {
        var harness = Harness()
        let answer = harness.send("GET", "/openapi/v2", accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
        #expect(answer.status == 200)
        #expect(answer.response.contentType == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
        let document = try Openapi_V2_Document(serializedBytes: answer.response.bodyBytes)
        #expect(document.swagger == "2.0")
        let definitions = Dictionary(uniqueKeysWithValues: document.definitions.additionalProperties.map { ($0.name, $0.value) })
        let review = try #require(definitions["io.k8s.api.authorization.v1.SubjectAccessReview"])
        #expect(review.vendorExtension.first { $0.name == "x-kubernetes-group-version-kind" }?.value.yaml
            == #"[{"group":"authorization.k8s.io","kind":"SubjectAccessReview","version":"v1"}]"#)
        #expect(review.required == ["spec"])
        let spec = try #require(definitions["io.k8s.api.apps.v1.DeploymentSpec"])
        let template = spec.properties.additionalProperties.first { $0.name == "template" }?.value
        #expect(template?.ref == "#/definitions/io.k8s.api.core.v1.PodTemplateSpec")
        let replicas = spec.properties.additionalProperties.first { $0.name == "replicas" }?.value
        #expect(replicas?.type.value == ["integer"])
        // Every reference resolves to a definition.
        #expect(Self.v2References(document).filter { definitions[$0] == nil } == [])
        // JSON is refused loudly rather than answered with something kubectl cannot read.
        #expect(harness.send("GET", "/openapi/v2").status == 406)
    }

    static func v2References(_ document: Openapi_V2_Document) -> [String] {
        var pending = document.definitions.additionalProperties.map(\.value)
        var names: [String] = []
        while let schema = pending.popLast() {
            if !schema.ref.isEmpty { names.append(String(schema.ref.dropFirst("#/definitions/".count))) }
            pending += schema.properties.additionalProperties.map(\.value) + schema.items.schema
            if schema.hasAdditionalProperties { pending.append(schema.additionalProperties.schema) }
        }
        return names
    }
}
