import Model
import YAML

/// What the model's types tell the strict YAML reader: their fields (from the same probe that
/// writes the CRD schemas), stand-ins for missing fields, and which strings are closed sets.
struct ModelSchema: YAMLSchema {
    func fieldNames(of type: Any.Type) -> [String] {
        OpenAPISchema.fieldNames(of: type)
    }

    /// `unknown field "replica"; did you mean "replicas"?`, or the list of known fields.
    func unknownField(_ name: String, of type: Any.Type) -> String {
        let known = fieldNames(of: type)
        guard !known.isEmpty else { return "unknown field \"\(name)\"" }
        if let suggestion = Spelling.closest(to: name, in: known) {
            return "unknown field \"\(name)\"; did you mean \"\(suggestion)\"?"
        }
        return "unknown field \"\(name)\"; known fields: \(known.joined(separator: ", "))"
    }

    func placeholder<T: Decodable>(of type: T.Type) -> T? {
        OpenAPISchema.placeholder(of: type)
    }

    /// `catchUp: no` names a value of the enum; YAML 1.1's boolean it is not.
    func isClosedSet(_ type: Any.Type) -> Bool {
        type is any WireEnum.Type
    }
}
