import JSON

/// A DELETE's options (meta/v1 DeleteOptions), read from the body as kubectl and the Python client
/// send them, or from the query (`?propagationPolicy=Foreground&gracePeriodSeconds=0`), and checked
/// as the apiserver's ValidateDeleteOptions checks them.
struct DeleteOptions: Sendable {
    var propagation: Propagation?
    /// Deprecated, still honoured: true orphans, false deletes dependents.
    var orphanDependents: Bool?
    var gracePeriodSeconds: Int?
    var preconditionUID: String?
    var preconditionResourceVersion: String?
    var dryRun = false

    init(propagation: Propagation? = nil, preconditionUID: String? = nil) {
        self.propagation = propagation
        self.preconditionUID = preconditionUID
    }

    init(_ request: APIRequest, body: JSONValue) throws(APIError) {
        var fields = body.objectValue ?? [:]
        guard body == .null || body.objectValue != nil else { throw .badRequest("the body of a DELETE must be a DeleteOptions object") }
        // Query parameters fill what the body leaves out.
        for name in ["propagationPolicy", "gracePeriodSeconds", "orphanDependents"] where fields[name] == nil {
            guard let text = request.query[name] else { continue }
            fields[name] = name == "propagationPolicy" ? .string(text) : try Self.queryValue(name, text)
        }
        propagation = try Self.propagation(fields["propagationPolicy"])
        orphanDependents = try Self.typed(fields["orphanDependents"], "orphanDependents", "bool") { $0.boolValue }
        gracePeriodSeconds = try Self.typed(fields["gracePeriodSeconds"], "gracePeriodSeconds", "int64") { $0.intValue }
        let preconditions = fields["preconditions"] ?? .null
        guard preconditions == .null || preconditions.objectValue != nil else { throw Self.typeError("preconditions", "v1.Preconditions") }
        preconditionUID = try Self.typed(preconditions["uid"], "preconditions.uid", "string") { $0.stringValue }
        preconditionResourceVersion = try Self.typed(preconditions["resourceVersion"], "preconditions.resourceVersion", "string") { $0.stringValue }
        let dryRunValues = try Self.typed(fields["dryRun"], "dryRun", "[]string") { $0.arrayValue?.compactMap(\.stringValue) } ?? []
        dryRun = request.isDryRun || dryRunValues.contains("All")
        if orphanDependents != nil, let propagation {
            throw Self.invalid(field: "propagationPolicy", reason: "FieldValueInvalid",
                               "Invalid value: \"\(propagation.rawValue)\": orphanDependents and deletionPropagation cannot be both set")
        }
    }

    /// A 409 as the store's preconditions give it, before anything changes.
    func checkPreconditions(_ live: StoredObject, _ type: ResourceType, _ name: String) throws(APIError) {
        let uid = live.value[path: ["metadata", "uid"]]?.stringValue ?? ""
        if let preconditionUID, preconditionUID != uid {
            throw Self.conflict(type, name, "Precondition failed: UID in precondition: \(preconditionUID), UID in object meta: \(uid)")
        }
        if let preconditionResourceVersion, preconditionResourceVersion != String(live.resourceVersion) {
            throw Self.conflict(type, name, "Precondition failed: ResourceVersion in precondition: \(preconditionResourceVersion), ResourceVersion in object meta: \(live.resourceVersion)")
        }
    }

    private static func propagation(_ value: JSONValue?) throws(APIError) -> Propagation? {
        guard let value, value != .null else { return nil }
        guard let text = value.stringValue else { throw typeError("propagationPolicy", "v1.DeletionPropagation") }
        guard let propagation = Propagation(rawValue: text) else {
            throw invalid(field: "propagationPolicy", reason: "FieldValueNotSupported",
                          "Unsupported value: \"\(text)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"")
        }
        return propagation
    }

    private static func typed<T>(_ value: JSONValue?, _ field: String, _ goType: String, _ read: (JSONValue) -> T?) throws(APIError) -> T? {
        guard let value, value != .null else { return nil }
        guard let typed = read(value) else { throw typeError(field, goType) }
        return typed
    }

    private static func queryValue(_ name: String, _ text: String) throws(APIError) -> JSONValue {
        if name == "orphanDependents" {
            guard let flag = ["true": true, "false": false, "1": true, "0": false][text] else { throw typeError(name, "bool") }
            return .bool(flag)
        }
        guard let number = Int(text) else { throw typeError(name, "int64") }
        return .int(number)
    }

    private static func typeError(_ field: String, _ goType: String) -> APIError {
        .badRequest("json: cannot unmarshal the value of \"\(field)\" into Go struct field DeleteOptions.\(field) of type \(goType)")
    }

    private static func invalid(field: String, reason: String, _ message: String) -> APIError {
        APIError(
            code: 422, reason: "Invalid", message: "DeleteOptions.meta.k8s.io \"\" is invalid: \(field): \(message)",
            details: ["name": "", "group": "meta.k8s.io", "kind": "DeleteOptions",
                      "causes": [["reason": .string(reason), "message": .string(message), "field": .string(field)]]])
    }

    private static func conflict(_ type: ResourceType, _ name: String, _ problem: String) -> APIError {
        APIError(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(type.qualifiedPlural) \"\(name)\": \(problem)",
                 details: type.details(name))
    }
}
