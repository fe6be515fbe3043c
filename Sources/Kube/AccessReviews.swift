/// The authentication and authorization reviews a client asks about itself or another user:
/// SelfSubjectReview (authentication.k8s.io/v1: who does the cluster say I am) and
/// SubjectAccessReview and LocalSubjectAccessReview (authorization.k8s.io/v1: may this user do
/// that; the local one asks within one namespace, so a namespaced Role can grant asking it).
public struct UserInfo: Codable, Sendable, Equatable {
    public var username: String
    public var uid: String?
    public var groups: [String]?

    public init(username: String, uid: String? = nil, groups: [String]? = nil) {
        self.username = username
        self.uid = uid
        self.groups = groups
    }
}

public struct SelfSubjectReview: Codable, Sendable {
    public struct Status: Codable, Sendable {
        public var userInfo: UserInfo?
    }

    public var apiVersion = "authentication.k8s.io/v1"
    public var kind = "SelfSubjectReview"
    public var status: Status?

    public init() {}

    public static let resource = ResourceType(
        group: "authentication.k8s.io", version: "v1", plural: "selfsubjectreviews", kind: "SelfSubjectReview", namespaced: false)
}

public struct SubjectAccessReview: Codable, Sendable {
    /// A request on a resource: `verb` on `resource` of `group`, in `namespace` (nil: all of them).
    public struct ResourceAttributes: Codable, Sendable, Hashable {
        public var group: String
        public var resource: String
        public var verb: String
        public var namespace: String?

        public init(group: String, resource: String, verb: String, namespace: String?) {
            self.group = group
            self.resource = resource
            self.verb = verb
            self.namespace = namespace
        }
    }

    public struct Spec: Codable, Sendable, Hashable {
        public var user: String
        public var groups: [String]?
        public var resourceAttributes: ResourceAttributes

        public init(user: String, groups: [String]? = nil, resourceAttributes: ResourceAttributes) {
            self.user = user
            self.groups = groups
            self.resourceAttributes = resourceAttributes
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var allowed: Bool
        public var denied: Bool?
        public var reason: String?
        public var evaluationError: String?

        public init(allowed: Bool, denied: Bool? = nil, reason: String? = nil, evaluationError: String? = nil) {
            self.allowed = allowed
            self.denied = denied
            self.reason = reason
            self.evaluationError = evaluationError
        }
    }

    public var apiVersion = "authorization.k8s.io/v1"
    public var kind = "SubjectAccessReview"
    public var spec: Spec
    public var status: Status?

    public init(spec: Spec) {
        self.spec = spec
    }

    public static let resource = ResourceType(
        group: "authorization.k8s.io", version: "v1", plural: "subjectaccessreviews", kind: "SubjectAccessReview", namespaced: false)
}

/// A SubjectAccessReview asked in one namespace: its `metadata.namespace` and the spec's
/// `resourceAttributes.namespace` must both be the namespace of the request.
public struct LocalSubjectAccessReview: Codable, Sendable {
    public struct Metadata: Codable, Sendable {
        public var namespace: String
    }

    public var apiVersion = "authorization.k8s.io/v1"
    public var kind = "LocalSubjectAccessReview"
    public var metadata: Metadata
    public var spec: SubjectAccessReview.Spec
    public var status: SubjectAccessReview.Status?

    public init(namespace: String, spec: SubjectAccessReview.Spec) {
        metadata = Metadata(namespace: namespace)
        var spec = spec
        spec.resourceAttributes.namespace = namespace
        self.spec = spec
    }

    public static let resource = ResourceType(
        group: "authorization.k8s.io", version: "v1", plural: "localsubjectaccessreviews", kind: "LocalSubjectAccessReview", namespaced: true)
}

extension KubeClient {
    /// Who the cluster says this client is (`kubectl auth whoami`).
    public func selfSubjectReview() async throws(KubeError) -> UserInfo {
        let review = try await create(SelfSubjectReview(), SelfSubjectReview.resource)
        guard let user = review.status?.userInfo, !user.username.isEmpty else {
            throw .decoding("POST \(SelfSubjectReview.resource.path(namespace: nil)): the SelfSubjectReview names no user")
        }
        return user
    }

    /// Whether the user of `spec` may do what it asks; needs `create` on subjectaccessreviews.
    public func subjectAccessReview(_ spec: SubjectAccessReview.Spec) async throws(KubeError) -> SubjectAccessReview.Status {
        let review = try await create(SubjectAccessReview(spec: spec), SubjectAccessReview.resource)
        return review.status ?? SubjectAccessReview.Status(allowed: false, reason: "the review came back without a status")
    }

    /// Whether the user of `spec` may do what it asks in `namespace`; needs `create` on
    /// localsubjectaccessreviews in that namespace only.
    public func localSubjectAccessReview(_ spec: SubjectAccessReview.Spec, namespace: String) async throws(KubeError) -> SubjectAccessReview.Status {
        let review = try await create(LocalSubjectAccessReview(namespace: namespace, spec: spec), LocalSubjectAccessReview.resource, namespace: namespace)
        return review.status ?? SubjectAccessReview.Status(allowed: false, reason: "the review came back without a status")
    }
}
