import JSON

/// The schema of one custom resource version, parsed once from its CustomResourceDefinition and
/// kept with its type until the definition changes.
struct CustomResourceSchema: Sendable {
    let root: SchemaNode
    /// The resourceVersion of the definition it was read from.
    let definitionVersion: Int

    /// The schema of the version the type serves, or nil when the definition has none.
    init?(definition crd: JSONValue, version: String, definitionVersion: Int) {
        let versions = crd[path: ["spec", "versions"]]?.arrayValue ?? []
        guard let served = versions.first(where: { $0["name"]?.stringValue == version }),
            let schema = served[path: ["schema", "openAPIV3Schema"]]
        else { return nil }
        var ignored: [FieldError] = []
        root = SchemaNode(schema, path: "", level: .root, problems: &ignored)
        self.definitionVersion = definitionVersion
    }

    /// What makes a definition's schemas unusable, with the paths the apiserver names. When every
    /// version has the same schema the apiserver checks it once, as its internal form holds it
    /// (`spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule`);
    /// otherwise each (`spec.versions[1].schema.openAPIV3Schema...`).
    static func problems(inDefinition crd: JSONValue) -> [FieldError] {
        var problems: [FieldError] = []
        let versions = crd[path: ["spec", "versions"]]?.arrayValue ?? []
        let shared = versions.count > 0 && versions.allSatisfy { $0["schema"] == versions[0]["schema"] }
        for (index, version) in versions.enumerated() {
            guard let schema = version[path: ["schema", "openAPIV3Schema"]] else { continue }
            let path = shared ? "spec.validation.openAPIV3Schema" : "spec.versions[\(index)].schema.openAPIV3Schema"
            _ = SchemaNode(schema, path: path, level: .root, problems: &problems)
            problems += SchemaRuleCost.problems(inSchema: schema, path: path)
            if shared { break }
        }
        return problems
    }
}

extension MockCluster {
    /// Decoding a custom resource as the apiserver decodes it: members the schema does not declare
    /// are dropped, and refused or warned about as `fieldValidation` says.
    mutating func pruneUnknownFields(_ object: inout JSONValue, type: ResourceType, request: APIRequest) throws(APIError) {
        let directive = try FieldValidation(request)
        guard let schema = type.schema else { return }
        let original = object
        let unknown = SchemaPruning.prune(&object, schema.root)
        SchemaPruning.dropDisallowedNulls(&object, schema.root)
        guard !unknown.isEmpty else { return }
        let problems = unknown.map { "unknown field \(goQuoted($0))" }
        let contentType = request.contentType.split(separator: ";").first.map(String.init) ?? ""
        if request.method == "PATCH", contentType == "application/apply-patch+yaml" {
            // Server-side apply reads the patch as a typed object: an undeclared field is an error
            // whatever the directive (structured-merge-diff's "field not declared in schema").
            throw APIError(
                code: 500, reason: "",
                message: "failed to create typed patch object (\(type.group)/\(type.version), Kind=\(type.kind)): "
                    + unknown.map { ".\($0): field not declared in schema" }.joined(separator: ", "))
        }
        switch directive {
        case .ignore: return
        case .warn: warnings += problems
        case .strict:
            let strict = "strict decoding error: " + problems.joined(separator: ", ")
            if request.method == "PATCH" {
                // The patched object is decoded again: its error names the whole patched JSON.
                throw .invalid(kind: "", group: "", name: "", [FieldError(.invalid, "patch", .json(.string(original.jsonText)), strict)])
            }
            throw .badRequest("\(type.kind) in version \(goQuoted(type.version)) cannot be handled as a \(type.kind): \(strict)")
        }
    }

    /// Defaults, then the schema, list types and CEL rules, as the custom resource strategy
    /// validates a create, an update, or (only `status`, against its own schema) a status write.
    mutating func checkCustomResource(
        _ object: inout JSONValue, type: ResourceType, previous: JSONValue?, subresource: String?
    ) throws(APIError) {
        guard let schema = type.schema else { return }
        SchemaPruning.applyDefaults(&object, schema.root)
        var errors: [FieldError] = []
        if subresource == "status" {
            if let status = object["status"], let statusSchema = schema.root.properties["status"] {
                var validator = SchemaValidator(root: "status")
                validator.validate(status, statusSchema, path: "", old: previous?["status"])
                errors += validator.errors
            }
        } else {
            var validator = SchemaValidator(root: nil)
            validator.validate(object, schema.root, path: "", old: previous)
            errors += validator.errors
            errors += EmbeddedResourceCheck.errors(object, schema.root, path: nil)
        }
        let listErrors = ListTypeCheck.errors(object, schema.root, path: nil)
        if !listErrors.isEmpty, previous.map({ ListTypeCheck.errors($0, schema.root, path: nil).isEmpty }) ?? true {
            errors += listErrors
        }
        let blocking: Set<FieldError.Kind> = [.notSupported, .required, .tooLong, .tooMany, .typeInvalid]
        if !schema.root.hasRules {
            // No rules, no CEL validator: nothing to skip.
        } else if errors.contains(where: { blocking.contains($0.kind) }) {
            errors.append(FieldError(.invalid, "<nil>", .json(.null),
                "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"))
        } else {
            var rules = SchemaRuleCheck()
            rules.check(object, schema.root, old: previous, path: nil, isRoot: true)
            errors += rules.errors
            warnings += rules.warnings
        }
        guard errors.isEmpty else {
            throw .invalid(type, object[path: ["metadata", "name"]]?.stringValue ?? "", errors)
        }
    }

    /// A CustomResourceDefinition whose schema is not structural, or has a rule this cluster
    /// cannot compile, is refused as the apiserver refuses it: 422 naming each problem.
    func checkDefinition(_ crd: JSONValue, type: ResourceType) throws(APIError) {
        let problems = CustomResourceSchema.problems(inDefinition: crd)
        guard problems.isEmpty else {
            throw .invalid(type, crd[path: ["metadata", "name"]]?.stringValue ?? "", problems)
        }
        if let feature = UnimplementedSchemaFeatures.first(in: crd) {
            throw APIError(
                code: 501, reason: "NotImplemented",
                message: "the mock cluster does not enforce \(feature) in a CustomResourceDefinition's schema, which a real API server enforces: "
                    + "refused rather than ignored")
        }
    }
}
