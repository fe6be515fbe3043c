import JSON

/// The apiserver's checks of a write's options, before it looks at the object: `fieldManager` is
/// required for an apply and at most 128 bytes, and `force` belongs to applies only.
enum WriteOptions {
    enum Verb {
        case create
        case update
        case patch(isApply: Bool)

        var optionsKind: String {
            switch self {
            case .create: "CreateOptions"
            case .update: "UpdateOptions"
            case .patch: "PatchOptions"
            }
        }
    }

    private struct Problem {
        var field: String
        var reason: String
        var detail: String
    }

    static func check(_ request: APIRequest, _ verb: Verb) throws(APIError) {
        var problems: [Problem] = []
        let manager = request.query["fieldManager"] ?? ""
        if case .patch(let isApply) = verb {
            if !isApply, request.query["force"] != nil {
                problems.append(Problem(field: "force", reason: "FieldValueForbidden", detail: "Forbidden: may not be specified for non-apply patch"))
            }
            if isApply, manager.isEmpty {
                problems.append(Problem(field: "fieldManager", reason: "FieldValueRequired", detail: "Required value: is required for apply patch"))
            }
        }
        if manager.utf8.count > 128 {
            problems.append(Problem(field: "fieldManager", reason: "FieldValueTooLong", detail: "Too long: may not be more than 128 bytes"))
        }
        guard !problems.isEmpty else { return }
        let listed = problems.map { "\($0.field): \($0.detail)" }
        let summary = listed.count == 1 ? listed[0] : "[" + listed.joined(separator: ", ") + "]"
        throw APIError(
            code: 422, reason: "Invalid", message: "\(verb.optionsKind).meta.k8s.io \"\" is invalid: \(summary)",
            details: [
                "group": "meta.k8s.io", "kind": .string(verb.optionsKind),
                "causes": .array(problems.map { ["reason": .string($0.reason), "message": .string($0.detail), "field": .string($0.field)] }),
            ])
    }
}
