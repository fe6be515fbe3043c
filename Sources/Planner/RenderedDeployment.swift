import JSON
import Model

/// A Deployment as `Rendering.deployment` made it, with the inputs it was made from: what an
/// update would apply, kept from one plan to the next so that a service nobody changed is not
/// rendered again every pass.
///
/// The plan returns the renderings it used (`Plan.renderedDeployments`) and takes them back the
/// next pass (`Planner.Options.renderedDeployments`); the shell only holds them in between. The
/// plan reuses one only when its inputs equal the ones it would render from now, so a stale or
/// foreign rendering costs a render, never a wrong plan.
public struct RenderedDeployment: Sendable, Equatable {
    /// What `Rendering.deployment` reads. The spec is compared by value rather than by the
    /// ServiceSpec's generation: generation is unset for manifests (hmsctl, `--manifests`), and a
    /// label change, rendered too, does not raise it. Comparing values costs well under a
    /// microsecond; rendering allocates the whole object.
    public struct Inputs: Sendable, Equatable {
        var name: String
        var namespace: String
        var uid: String?
        var labels: [String: String]?
        var spec: ServiceSpec.Spec
        var replicas: Int?
        var fromManifests: Bool

        init(_ service: ServiceSpec, replicas: Int?, fromManifests: Bool) {
            name = service.metadata.name
            namespace = service.ref.namespace
            uid = service.metadata.uid
            labels = service.metadata.labels
            spec = service.spec
            self.replicas = replicas
            self.fromManifests = fromManifests
        }
    }

    public let inputs: Inputs
    public internal(set) var object: JSONValue
    /// The live version it was last compared with, and what that found: the same rendering and
    /// the same version (uid and resourceVersion) compare the same, so a pass in which neither
    /// changed does not walk the two objects again.
    public internal(set) var comparison: Comparison?

    public struct Comparison: Sendable, Equatable {
        var uid: String
        var resourceVersion: String
        var differences: [OwnedFieldComparison.Difference]
    }

    /// `Rendering.deployment(service, replicas:, fromManifests:)`, or `earlier` when it was made
    /// from the same inputs.
    init(_ service: ServiceSpec, replicas: Int?, fromManifests: Bool, reusing earlier: RenderedDeployment?) {
        let inputs = Inputs(service, replicas: replicas, fromManifests: fromManifests)
        if let earlier, earlier.inputs == inputs {
            self = earlier
        } else {
            self.inputs = inputs
            object = Rendering.deployment(service, replicas: replicas, fromManifests: fromManifests)
        }
    }
}
