import JSON

/// What a structural schema does to an object as the apiserver decodes it: members it does not
/// declare are dropped (and named, for `fieldValidation`), nulls it does not allow are dropped,
/// and `default`s fill what is missing (apiextensions' pruning and defaulting algorithms).
enum SchemaPruning {
    /// The members of ObjectMeta; anything else under `metadata` is unknown.
    static let objectMetaFields: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ]
    private static let typeAndMeta: Set<String> = ["apiVersion", "kind", "metadata"]

    /// Drops undeclared members from a whole object; returns their paths (`spec.healthChek`),
    /// those of metadata first, then the others sorted, as the apiserver lists them.
    static func prune(_ object: inout JSONValue, _ schema: SchemaNode) -> [String] {
        var unknown = pruneMetadata(&object, path: "")
        var others: [String] = []
        prune(&object, schema, path: "", isEmbedded: true, unknown: &others)
        unknown += others.sorted()
        return unknown
    }

    private static func pruneMetadata(_ object: inout JSONValue, path: String) -> [String] {
        guard var metadata = object["metadata"]?.objectValue else { return [] }
        let prefix = path.isEmpty ? "metadata." : "\(path).metadata."
        let unknown = metadata.keys.filter { !objectMetaFields.contains($0) }.sorted()
        for name in unknown { metadata[name] = nil }
        if !unknown.isEmpty { object["metadata"] = .object(metadata) }
        return unknown.map { prefix + $0 }
    }

    private static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    private static func prune(_ value: inout JSONValue, _ schema: SchemaNode?, path: String, isEmbedded: Bool, unknown: inout [String]) {
        if let schema, schema.preservesUnknownFields {
            pruneKnown(&value, schema, path: path, unknown: &unknown)
            return
        }
        switch value {
        case .object(var members):
            for name in Array(members.keys) {
                if (isEmbedded || schema?.embeddedResource == true), typeAndMeta.contains(name) { continue }
                if let schema, schema.properties[name] != nil || schema.allowsAdditionalProperties {
                    let child = schema.properties[name] ?? schema.additionalProperties
                    prune(&members[name, default: .null], child, path: join(path, name), isEmbedded: child?.embeddedResource ?? false, unknown: &unknown)
                } else {
                    if !(typeAndMeta.contains(name) && path.isEmpty) { unknown.append(join(path, name)) }
                    members[name] = nil
                }
            }
            value = .object(members)
            if schema?.embeddedResource == true, !path.isEmpty { unknown += pruneMetadata(&value, path: path) }
        case .array(var items):
            for index in items.indices {
                prune(&items[index], schema?.items, path: "\(path)[\(index)]", isEmbedded: schema?.items?.embeddedResource ?? false, unknown: &unknown)
            }
            value = .array(items)
        default: break
        }
    }

    /// Under `x-kubernetes-preserve-unknown-fields`: unknown members stay, declared ones are pruned inside.
    private static func pruneKnown(_ value: inout JSONValue, _ schema: SchemaNode, path: String, unknown: inout [String]) {
        switch value {
        case .object(var members):
            for name in Array(members.keys) {
                if schema.embeddedResource, typeAndMeta.contains(name) { continue }
                guard let child = schema.properties[name] ?? schema.additionalProperties else { continue }
                prune(&members[name, default: .null], child, path: join(path, name), isEmbedded: child.embeddedResource, unknown: &unknown)
            }
            value = .object(members)
        case .array(var items):
            guard let itemSchema = schema.items else { return }
            for index in items.indices { pruneKnown(&items[index], itemSchema, path: "\(path)[\(index)]", unknown: &unknown) }
            value = .array(items)
        default: break
        }
    }

    /// Drops null members whose schema neither allows null nor has a default.
    static func dropDisallowedNulls(_ value: inout JSONValue, _ schema: SchemaNode?) {
        switch value {
        case .object(var members):
            for name in Array(members.keys) {
                let child = schema?.member(name)
                if members[name] == .null, let child, !child.nullable, child.defaultValue == nil {
                    members[name] = nil
                } else {
                    dropDisallowedNulls(&members[name, default: .null], child)
                }
            }
            value = .object(members)
        case .array(var items):
            for index in items.indices { dropDisallowedNulls(&items[index], schema?.items) }
            value = .array(items)
        default: break
        }
    }

    /// Fills `default`s: a missing member (or a null one its schema does not allow) takes its
    /// default, then every member is defaulted inside.
    static func applyDefaults(_ value: inout JSONValue, _ schema: SchemaNode?) {
        guard let schema, schema.hasDefaults else { return }
        switch value {
        case .object(var members):
            for (name, property) in schema.properties {
                if let defaultValue = property.defaultValue, members[name] == nil || (members[name] == .null && !property.nullable) {
                    members[name] = defaultValue
                }
            }
            for name in Array(members.keys) {
                guard let child = schema.member(name) else { continue }
                if schema.properties[name] == nil, members[name] == .null, !child.nullable, let defaultValue = child.defaultValue {
                    members[name] = defaultValue
                }
                applyDefaults(&members[name, default: .null], child)
            }
            value = .object(members)
        case .array(var items):
            for index in items.indices {
                if items[index] == .null, let itemSchema = schema.items, !itemSchema.nullable, let defaultValue = itemSchema.defaultValue {
                    items[index] = defaultValue
                }
                applyDefaults(&items[index], schema.items)
            }
            value = .array(items)
        default: break
        }
    }
}

/// The items of an old list found by a new item's map keys (`x-kubernetes-list-type: map`); other
/// lists do not correlate, so nothing is found.
struct ListMapIndex {
    private var byKey: [[UInt8]: JSONValue] = [:]
    private let keys: [String]

    init(_ schema: SchemaNode, _ old: [JSONValue]?) {
        keys = schema.listType == "map" ? schema.listMapKeys : []
        guard !keys.isEmpty, let old else { return }
        for item in old { byKey[Self.key(item, keys)] = item }
    }

    func match(_ item: JSONValue) -> JSONValue? {
        keys.isEmpty ? nil : byKey[Self.key(item, keys)]
    }

    static func key(_ item: JSONValue, _ keys: [String]) -> [UInt8] {
        JSONValue.array(keys.map { item[$0] ?? .null }).jsonBytes
    }
}
