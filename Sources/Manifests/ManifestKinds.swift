import Dispatch
import Model

/// The kinds a manifest may hold.
let manifestKinds: [any ManifestKind.Type] = [
    GovernancePolicy.self, Budget.self, ServiceSpec.self, AutoscaleRule.self, Directive.self, Approval.self,
]

protocol ManifestKind: Resource {
    /// `AnyResource(self)` without the trip through an existential.
    var wrapped: AnyResource { get }
    /// The bounds of the spec (`NodeBounds`), built once per kind, on the thread that first needs
    /// it: the schema probe that builds it takes milliseconds, which other kinds need not wait for.
    static var boundsTree: BoundsTree? { get }
}

extension ManifestKind {
    static func buildBoundsTree() -> BoundsTree? {
        schema.property("spec").flatMap(BoundsTree.init)
    }
}

extension ManifestDecoder {
    /// Builds the bounds of every kind on another thread, while the caller reads its files: the
    /// schema probe takes some milliseconds of one core, which decoding would otherwise wait for.
    static func prepare() {
        DispatchQueue.global().async {
            for kind in manifestKinds { _ = kind.boundsTree }
        }
    }
}

private enum BoundsTrees {
    static let serviceSpec = ServiceSpec.buildBoundsTree()
    static let autoscaleRule = AutoscaleRule.buildBoundsTree()
    static let budget = Budget.buildBoundsTree()
    static let directive = Directive.buildBoundsTree()
    static let governancePolicy = GovernancePolicy.buildBoundsTree()
    static let approval = Approval.buildBoundsTree()
}

extension ServiceSpec: ManifestKind {
    var wrapped: AnyResource { .serviceSpec(self) }
    static var boundsTree: BoundsTree? { BoundsTrees.serviceSpec }
}
extension AutoscaleRule: ManifestKind {
    var wrapped: AnyResource { .autoscaleRule(self) }
    static var boundsTree: BoundsTree? { BoundsTrees.autoscaleRule }
}
extension Budget: ManifestKind {
    var wrapped: AnyResource { .budget(self) }
    static var boundsTree: BoundsTree? { BoundsTrees.budget }
}
extension Directive: ManifestKind {
    var wrapped: AnyResource { .directive(self) }
    static var boundsTree: BoundsTree? { BoundsTrees.directive }
}
extension GovernancePolicy: ManifestKind {
    var wrapped: AnyResource { .governancePolicy(self) }
    static var boundsTree: BoundsTree? { BoundsTrees.governancePolicy }
}
extension Approval: ManifestKind {
    var wrapped: AnyResource { .approval(self) }
    static var boundsTree: BoundsTree? { BoundsTrees.approval }
}
