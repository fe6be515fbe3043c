import JSON

/// Schemas of the access kinds (service accounts, secrets, RBAC, admission policies): present so a
/// group-version that serves them has complete documents as soon as the mock serves them.
extension BuiltInSchemas {
    static func accessKinds() -> [String: JSONValue] {
        let rbac = "io.k8s.api.rbac.v1."
        let rules = S.atomicList(of: S.ref(rbac + "PolicyRule"))
        let binding: [String: JSONValue] = ["subjects": S.atomicList(of: S.ref(rbac + "Subject")), "roleRef": S.ref(rbac + "RoleRef")]
        let group = "rbac.authorization.k8s.io"
        return [
            core + "ServiceAccount": S.kind(group: "", version: "v1", kind: "ServiceAccount", description: "An identity for processes in pods.", [
                "secrets": S.keyedList(of: core + "ObjectReference", keys: ["name"]),
                "imagePullSecrets": S.atomicList(of: S.ref(core + "LocalObjectReference")), "automountServiceAccountToken": S.boolean,
            ]),
            core + "Secret": S.kind(group: "", version: "v1", kind: "Secret", description: "Sensitive data as keys and values.", [
                "data": S.map(of: ["type": "string", "format": "byte"]), "stringData": S.stringMap, "type": S.string, "immutable": S.boolean,
            ]),
            rbac + "Role": S.kind(group: group, version: "v1", kind: "Role", description: "Rules that allow actions in one namespace.", ["rules": rules]),
            rbac + "ClusterRole": S.kind(group: group, version: "v1", kind: "ClusterRole", description: "Rules that allow actions in every namespace.", [
                "rules": rules,
                "aggregationRule": S.object(["clusterRoleSelectors": S.atomicList(of: S.ref(meta + "LabelSelector"))]),
            ]),
            rbac + "RoleBinding": S.kind(group: group, version: "v1", kind: "RoleBinding", description: "Grants a role to subjects in one namespace.", binding, required: ["roleRef"]),
            rbac + "ClusterRoleBinding": S.kind(group: group, version: "v1", kind: "ClusterRoleBinding", description: "Grants a cluster role to subjects everywhere.", binding, required: ["roleRef"]),
            rbac + "PolicyRule": S.object(
                ["verbs": S.stringList, "apiGroups": S.stringList, "resources": S.stringList, "resourceNames": S.stringList, "nonResourceURLs": S.stringList],
                required: ["verbs"]),
            rbac + "Subject": S.object(["kind": S.string, "apiGroup": S.string, "name": S.string, "namespace": S.string], required: ["kind", "name"]),
            rbac + "RoleRef": S.object(["apiGroup": S.string, "kind": S.string, "name": S.string], required: ["apiGroup", "kind", "name"]),
        ]
    }

    static func admissionKinds() -> [String: JSONValue] {
        let admission = "io.k8s.api.admissionregistration.v1."
        let group = "admissionregistration.k8s.io"
        let named = S.object(["name": S.string, "expression": S.string], required: ["name", "expression"])
        return [
            admission + "ValidatingAdmissionPolicy": S.kind(
                group: group, version: "v1", kind: "ValidatingAdmissionPolicy", description: "CEL rules that admit or refuse requests.",
                [
                    "spec": S.object([
                        "paramKind": S.object(["apiVersion": S.string, "kind": S.string]),
                        "matchConstraints": S.ref(admission + "MatchResources"),
                        "validations": S.atomicList(of: S.object(
                            ["expression": S.string, "message": S.string, "reason": S.string, "messageExpression": S.string], required: ["expression"])),
                        "failurePolicy": S.string,
                        "auditAnnotations": S.atomicList(of: S.object(["key": S.string, "valueExpression": S.string], required: ["key", "valueExpression"])),
                        "matchConditions": ["type": "array", "items": named, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                                            "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"],
                        "variables": S.atomicList(of: named),
                    ]),
                    "status": S.object(["observedGeneration": S.int64, "typeChecking": ["type": "object"],
                                        "conditions": S.keyedList(of: meta + "Condition", keys: ["type"])]),
                ]),
            admission + "ValidatingAdmissionPolicyBinding": S.kind(
                group: group, version: "v1", kind: "ValidatingAdmissionPolicyBinding", description: "Applies a policy, with its parameters, to requests.",
                [
                    "spec": S.object([
                        "policyName": S.string,
                        "paramRef": S.object(["name": S.string, "namespace": S.string, "selector": S.ref(meta + "LabelSelector"), "parameterNotFoundAction": S.string]),
                        "matchResources": S.ref(admission + "MatchResources"), "validationActions": S.set(of: S.string),
                    ]),
                ]),
            admission + "MatchResources": S.object([
                "namespaceSelector": S.ref(meta + "LabelSelector"), "objectSelector": S.ref(meta + "LabelSelector"),
                "resourceRules": S.atomicList(of: S.ref(admission + "NamedRuleWithOperations")),
                "excludeResourceRules": S.atomicList(of: S.ref(admission + "NamedRuleWithOperations")), "matchPolicy": S.string,
            ]),
            admission + "NamedRuleWithOperations": S.object([
                "resourceNames": S.stringList, "operations": S.stringList, "apiGroups": S.stringList, "apiVersions": S.stringList,
                "resources": S.stringList, "scope": S.string,
            ]),
        ]
    }
}
