import JSON

/// The types behind authorization and admission: ServiceAccounts (with TokenRequest), RBAC, the
/// self reviews, and ValidatingAdmissionPolicies with their bindings.
enum AccessTypes {
    static let serviceAccounts = ResourceType(
        group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", singular: "serviceaccount", namespaced: true,
        shortNames: ["sa"], subresources: ["token"],
        columns: [
            Column(name: "Secrets", type: "integer") { account, _ in .int(account["secrets"]?.arrayValue?.count ?? 0) },
            .age,
        ],
        returnsDeletedObject: true)

    static let roles = rbac("Role", "roles", namespaced: true)
    static let clusterRoles = rbac("ClusterRole", "clusterroles", namespaced: false)
    static let roleBindings = rbac("RoleBinding", "rolebindings", namespaced: true, columns: [roleColumn, .age])
    static let clusterRoleBindings = rbac("ClusterRoleBinding", "clusterrolebindings", namespaced: false, columns: [roleColumn, .age])

    static let validatingAdmissionPolicies = ResourceType(
        group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingAdmissionPolicy",
        plural: "validatingadmissionpolicies", singular: "validatingadmissionpolicy", namespaced: false,
        categories: ["api-extensions"], subresources: ["status"],
        columns: [
            Column(name: "Validations", type: "integer") { policy, _ in .int(policy[path: ["spec", "validations"]]?.arrayValue?.count ?? 0) },
            Column(name: "ParamKind") { policy, _ in
                guard let kind = policy[path: ["spec", "paramKind"]] else { return "<unset>" }
                return .string("\(kind["apiVersion"]?.stringValue ?? "")/\(kind["kind"]?.stringValue ?? "")")
            },
            .age,
        ])

    static let validatingAdmissionPolicyBindings = ResourceType(
        group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingAdmissionPolicyBinding",
        plural: "validatingadmissionpolicybindings", singular: "validatingadmissionpolicybinding", namespaced: false,
        categories: ["api-extensions"],
        columns: [.path("PolicyName", "spec.policyName"), .age])

    /// Answered, never stored, as TokenReview and SubjectAccessReview are.
    static let selfSubjectAccessReviews = ResourceType(
        group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectAccessReview", plural: "selfsubjectaccessreviews",
        singular: "selfsubjectaccessreview", namespaced: false, verbs: ["create"], isStored: false)

    static let selfSubjectReviews = ResourceType(
        group: "authentication.k8s.io", version: "v1", kind: "SelfSubjectReview", plural: "selfsubjectreviews",
        singular: "selfsubjectreview", namespaced: false, verbs: ["create"], isStored: false)

    /// The body of `serviceaccounts/token`: named in errors, never listed in discovery.
    static let tokenRequests = ResourceType(
        group: "authentication.k8s.io", version: "v1", kind: "TokenRequest", plural: "serviceaccounts", singular: "",
        namespaced: true, verbs: ["create"], isStored: false)

    static let stored = [serviceAccounts, roles, clusterRoles, roleBindings, clusterRoleBindings, validatingAdmissionPolicies, validatingAdmissionPolicyBindings]
    static let answered = [selfSubjectAccessReviews, selfSubjectReviews]

    private static let roleColumn = Column(name: "Role") { binding, _ in
        .string("\(binding[path: ["roleRef", "kind"]]?.stringValue ?? "")/\(binding[path: ["roleRef", "name"]]?.stringValue ?? "")")
    }

    private static func rbac(_ kind: String, _ plural: String, namespaced: Bool, columns: [Column] = [.path("Created At", "metadata.creationTimestamp", type: "date")]) -> ResourceType {
        ResourceType(
            group: "rbac.authorization.k8s.io", version: "v1", kind: kind, plural: plural, singular: kind.lowercased(),
            namespaced: namespaced, columns: columns)
    }
}
