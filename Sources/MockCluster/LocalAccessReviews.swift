import JSON

/// LocalSubjectAccessReview (`POST /apis/authorization.k8s.io/v1/namespaces/{ns}/localsubjectaccessreviews`):
/// a SubjectAccessReview asked within one namespace, so that a RoleBinding there can grant asking
/// it. Checked as kube-apiserver checks it before the same authorizer answers: the object's
/// namespace is the URL's (filled in when absent, 400 when different), its metadata holds nothing
/// else, and the spec asks about a resource in that same namespace (422 otherwise).
enum LocalAccessReviews {
    static let type = ResourceType(
        group: "authorization.k8s.io", version: "v1", kind: "LocalSubjectAccessReview", plural: "localsubjectaccessreviews",
        singular: "localsubjectaccessreview", namespaced: true, verbs: ["create"], isStored: false)

    /// The namespace of a path's rest (`namespaces/{ns}/localsubjectaccessreviews`), if it names this type.
    static func namespace(of rest: [String]) -> String? {
        guard rest.count == 3, rest[0] == "namespaces", rest[2] == type.plural, !rest[1].isEmpty else { return nil }
        return rest[1]
    }

    /// `review` with its namespace filled in, once it passes the apiserver's checks.
    static func checked(_ review: JSONValue, namespace: String) throws(APIError) -> JSONValue {
        var review = review
        if let stated = review[path: ["metadata", "namespace"]]?.stringValue, !stated.isEmpty, stated != namespace {
            throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        review[path: ["metadata", "namespace"]] = .string(namespace)
        let errors = problems(review, namespace: namespace)
        guard errors.isEmpty else { throw .invalid(type, "", errors) }
        return review
    }

    /// What `ValidateLocalSubjectAccessReview` finds, in its order.
    static func problems(_ review: JSONValue, namespace: String) -> [FieldError] {
        let spec = review["spec"]
        let resource = spec?["resourceAttributes"].flatMap { $0 == .null ? nil : $0 }
        let nonResource = spec?["nonResourceAttributes"].flatMap { $0 == .null ? nil : $0 }
        var errors: [FieldError] = []
        if resource != nil, nonResource != nil {
            errors.append(FieldError(.invalid, "spec.nonResourceAttributes", .omitted, "cannot be specified in combination with resourceAttributes"))
        }
        if resource == nil, nonResource == nil {
            errors.append(FieldError(.invalid, "spec.resourceAttributes", .json("null"), "exactly one of nonResourceAttributes or resourceAttributes must be specified"))
        }
        let user = spec?["user"]?.stringValue ?? ""
        if user.isEmpty, (spec?["groups"]?.arrayValue ?? []).isEmpty {
            errors.append(FieldError(.invalid, "spec.user", .json(""), "at least one of user or group must be specified"))
        }
        let extra = (review["metadata"]?.objectValue ?? [:]).filter { key, value in
            !["namespace", "managedFields"].contains(key) && !(key == "creationTimestamp" && value == .null)
        }
        if !extra.isEmpty {
            errors.append(FieldError(.invalid, "metadata", .omitted, "must be empty except for namespace"))
        }
        if let resource {
            let asked = resource["namespace"]?.stringValue ?? ""
            if asked != namespace {
                errors.append(FieldError(.invalid, "spec.resourceAttributes.namespace", .json(.string(asked)), "must match metadata.namespace"))
            }
        }
        if nonResource != nil {
            errors.append(FieldError(.invalid, "spec.nonResourceAttributes", .omitted, "disallowed on this kind of request"))
        }
        return errors
    }
}
