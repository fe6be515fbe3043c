import Foundation
import SwiftProtobuf

/// What the JSON form of each message needs beyond the values swift-protobuf decodes: the JSON name of
/// every field, and whether a zero value is still written. The names come from the descriptor set that
/// hack/gen-proto.sh commits beside the generated code (swift-protobuf keeps its own name tables private).
struct ProtoSchema: Sendable {
    struct Field: Sendable {
        let name: String
        /// Go writes a zero value for pointer fields (`*int32`, `*bool`, `*string`: set means set) and
        /// for fields without `omitempty`; every other zero is left out.
        let keepsZero: Bool
    }

    /// Message full name (`k8s.io.api.apps.v1.DeploymentSpec`) to field number to field.
    let messages: [String: [Int: Field]]

    static let shared = ProtoSchema(descriptorSet: KubeProtoDescriptors.fileDescriptorSet)

    init(descriptorSet base64: String) {
        // The set is generated and committed: failing to read it is a build defect, not an input error.
        guard let data = Data(base64Encoded: base64),
            let set = try? Google_Protobuf_FileDescriptorSet(serializedBytes: data)
        else { preconditionFailure("KubeProtoDescriptors holds no readable FileDescriptorSet") }
        var messages: [String: [Int: Field]] = [:]
        for file in set.file {
            for message in file.messageType {
                let fullName = "\(file.package).\(message.name)"
                var fields: [Int: Field] = [:]
                for field in message.field {
                    let keepsZero = Self.zeroWritten.contains("\(message.name).\(field.name)")
                    fields[Int(field.number)] = Field(name: field.name, keepsZero: keepsZero)
                }
                messages[fullName] = fields
            }
        }
        self.messages = messages
    }

    /// `Message.field` of the fields whose zero value Go's encoding/json writes (facts from the API
    /// types: pointer fields and fields without `omitempty`). One table, so a new .proto field that
    /// needs it is added here and nowhere else.
    static let zeroWritten: Set<String> = [
        // meta/v1
        "ObjectMeta.deletionGracePeriodSeconds",
        "LabelSelectorRequirement.key", "LabelSelectorRequirement.operator",
        "OwnerReference.apiVersion", "OwnerReference.kind", "OwnerReference.name", "OwnerReference.uid",
        "OwnerReference.controller", "OwnerReference.blockOwnerDeletion",
        // core/v1
        "ConfigMap.immutable", "Secret.immutable",
        "ServiceSpec.allocateLoadBalancerNodePorts", "ServiceSpec.loadBalancerClass", "ServiceSpec.internalTrafficPolicy",
        "ServiceSpec.ipFamilyPolicy", "ServiceSpec.trafficDistribution",
        "ServicePort.port",
        "PodSpec.terminationGracePeriodSeconds", "PodSpec.activeDeadlineSeconds", "PodSpec.automountServiceAccountToken",
        "PodSpec.shareProcessNamespace", "PodSpec.priority", "PodSpec.enableServiceLinks", "PodSpec.setHostnameAsFQDN",
        "PodSpec.hostUsers", "PodSpec.runtimeClassName", "PodSpec.preemptionPolicy",
        "Container.name", "Container.restartPolicy", "ContainerPort.containerPort", "EnvVar.name",
        "ServiceAccount.automountServiceAccountToken",
        // rbac/v1
        "PolicyRule.verbs", "Subject.kind", "Subject.name", "RoleRef.apiGroup", "RoleRef.kind", "RoleRef.name",
        // apps/v1
        "DeploymentSpec.replicas", "DeploymentSpec.revisionHistoryLimit", "DeploymentSpec.progressDeadlineSeconds",
        "DeploymentStatus.collisionCount", "DeploymentStatus.terminatingReplicas",
        // batch/v1
        "JobSpec.parallelism", "JobSpec.completions", "JobSpec.activeDeadlineSeconds", "JobSpec.manualSelector",
        "JobSpec.backoffLimit", "JobSpec.ttlSecondsAfterFinished", "JobSpec.completionMode", "JobSpec.suspend",
        "JobSpec.backoffLimitPerIndex", "JobSpec.maxFailedIndexes", "JobSpec.podReplacementPolicy", "JobSpec.managedBy",
        "JobStatus.ready", "JobStatus.terminating",
        // authentication/v1, authorization/v1
        "TokenRequestSpec.expirationSeconds", "TokenRequestStatus.token",
        "SubjectAccessReviewStatus.allowed",
    ]
}
