/// What an admission policy's `authorizer` asks: may the request's user (or the named service
/// account) perform `verb` on a resource or a non-resource path. The caller answers, from RBAC or
/// a test table; the library only builds the questions.
public protocol CELAuthorizer: Sendable {
    func decide(_ check: CELAuthorizationCheck) -> CELAuthorizationDecision
}

public struct CELAuthorizationCheck: Sendable, Equatable {
    /// The service account asked about (`authorizer.serviceAccount(ns, name)`); nil for the request's user.
    public var serviceAccount: CELServiceAccount?
    public var verb: String
    public var target: Target

    public enum Target: Sendable, Equatable {
        case path(String)
        case resource(CELResourceAttributes)
    }

    public init(serviceAccount: CELServiceAccount?, verb: String, target: Target) {
        self.serviceAccount = serviceAccount
        self.verb = verb
        self.target = target
    }
}

public struct CELServiceAccount: Sendable, Equatable {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The user name Kubernetes gives a service account.
    public var userName: String { "system:serviceaccount:\(namespace):\(name)" }
}

/// The resource a check is about; empty strings are "any", as in Kubernetes' ResourceAttributes.
public struct CELResourceAttributes: Sendable, Equatable {
    public var group: String
    public var version: String
    public var resource: String
    public var subresource: String
    public var namespace: String
    public var name: String

    public init(group: String = "", version: String = "", resource: String = "", subresource: String = "", namespace: String = "", name: String = "") {
        self.group = group
        self.version = version
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
    }
}

public enum CELAuthorizationDecision: Sendable, Equatable {
    case allowed
    case denied(reason: String)
    /// The authorizer could not decide; `allowed()` is false and `errored()` true.
    case error(String)
}

/// The values of Kubernetes' authorizer library: the authorizer, the checks built from it, and
/// the decision `check(verb)` returns.
public enum CELAuthorizationValue: Sendable, Equatable {
    case authorizer(serviceAccount: CELServiceAccount?)
    case pathCheck(serviceAccount: CELServiceAccount?, path: String)
    case groupCheck(serviceAccount: CELServiceAccount?, group: String)
    case resourceCheck(serviceAccount: CELServiceAccount?, CELResourceAttributes)
    case decision(CELAuthorizationDecision)

    var type: CELType {
        switch self {
        case .authorizer: .authorizer
        case .pathCheck: .pathCheck
        case .groupCheck: .groupCheck
        case .resourceCheck: .resourceCheck
        case .decision: .decision
        }
    }
}
