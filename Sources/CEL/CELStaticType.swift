/// The type the cost estimator infers for an expression, as far as cel-go's checker would know it:
/// from the schema for `self`, from literals, operators and function signatures elsewhere. The
/// estimator needs it to pick an operator's overload (string `+` or list `+`), to know which
/// selections cost a step and which values are scalars of size one.
indirect enum CELStaticType: Sendable, Equatable {
    case dyn, null, bool, int, uint, double, string, bytes, duration, timestamp, type, opaque
    case list(CELStaticType)
    case map(key: CELStaticType, value: CELStaticType)
    /// A schema object (a struct to cel-go), with the fields its schema declares.
    case object(CELDeclType)

    static func == (a: CELStaticType, b: CELStaticType) -> Bool {
        switch (a, b) {
        case (.list(let x), .list(let y)): return x == y
        case (.map(let k1, let v1), .map(let k2, let v2)): return k1 == k2 && v1 == v2
        case (.object(let x), .object(let y)): return x === y
        case (.dyn, .dyn), (.null, .null), (.bool, .bool), (.int, .int), (.uint, .uint), (.double, .double),
            (.string, .string), (.bytes, .bytes), (.duration, .duration), (.timestamp, .timestamp), (.type, .type),
            (.opaque, .opaque):
            return true
        default: return false
        }
    }

    init(_ decl: CELDeclType) {
        switch decl.kind {
        case .bool: self = .bool
        case .int: self = .int
        case .double: self = .double
        case .string: self = .string
        case .bytes: self = .bytes
        case .duration: self = .duration
        case .timestamp: self = .timestamp
        case .dyn: self = .dyn
        case .list: self = .list(decl.element.map(CELStaticType.init) ?? .dyn)
        case .map: self = .map(key: .string, value: decl.element.map(CELStaticType.init) ?? .dyn)
        case .object: self = .object(decl)
        }
    }

    init(of value: CELValue) {
        switch value {
        case .null: self = .null
        case .bool: self = .bool
        case .int: self = .int
        case .uint: self = .uint
        case .double: self = .double
        case .string: self = .string
        case .bytes: self = .bytes
        case .list, .map: self = .dyn
        case .type: self = .type
        case .duration: self = .duration
        case .timestamp: self = .timestamp
        case .authorization: self = .opaque
        }
    }

    /// Scalars have size one where nothing else tells their size (cel-go's `isScalar`).
    var isScalar: Bool {
        switch self {
        case .bool, .double, .duration, .int, .timestamp, .uint: true
        default: false
        }
    }

    /// Selecting a field costs a step on maps and objects (not on dyn: cel-go's quirk kept).
    var selectionCosts: Bool {
        switch self {
        case .map, .object: true
        default: false
        }
    }

    /// A field's type: an object's declared field, a map's value, else dyn.
    func field(_ name: String) -> CELStaticType {
        switch self {
        case .object(let decl): decl.fields[name].map(CELStaticType.init) ?? .dyn
        case .map(_, let value): value
        default: .dyn
        }
    }

    /// What iterating binds the variable to: a list's elements, a map's keys.
    var iterationElement: CELStaticType {
        switch self {
        case .list(let element): element
        case .map(let key, _): key
        default: .dyn
        }
    }

    var isList: Bool { if case .list = self { true } else { false } }
    var isMap: Bool { if case .map = self { true } else { false } }

    /// Whether a value of this type may be a string or bytes (dyn may be anything).
    var maybeText: Bool { self == .string || self == .bytes || self == .dyn }
}
