import Foundation
import JSON
import SwiftProtobuf

/// Why a protobuf request body could not become JSON.
public enum ProtobufBodyError: Error, Equatable, Sendable {
    /// Not `k8s\0` followed by a runtime.Unknown, or bytes that are not the message they claim.
    case malformed(String)
    /// A group-version-kind with no message here (custom resources have no protobuf form at all).
    case unsupportedKind(apiVersion: String, kind: String)
    /// A field the trimmed .proto files lack: refused, so nothing the client sent is dropped unseen.
    case unknownField(message: String, number: Int)
}

/// `Content-Type: application/vnd.kubernetes.protobuf` bodies: the envelope (the magic `k8s\0`, then
/// runtime.Unknown with the type and the object's bytes) decoded by swift-protobuf into the object's
/// message, then written as the JSON a client sending JSON would have sent.
public enum KubeProtobuf {
    static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

    public static func json(fromEnvelope bytes: [UInt8]) throws(ProtobufBodyError) -> JSONValue {
        guard bytes.count >= magic.count, Array(bytes.prefix(magic.count)) == magic else {
            throw .malformed("the body does not start with the protobuf envelope's magic bytes")
        }
        let envelope: K8s_Io_Apimachinery_Pkg_Runtime_Unknown
        do {
            envelope = try K8s_Io_Apimachinery_Pkg_Runtime_Unknown(serializedBytes: Data(bytes.dropFirst(magic.count)))
        } catch {
            throw .malformed("the protobuf envelope is not a runtime.Unknown: \(error)")
        }
        guard envelope.unknownFields.data.isEmpty, envelope.contentEncoding.isEmpty else {
            throw .malformed("the protobuf envelope carries an encoding the server does not read")
        }
        let apiVersion = envelope.typeMeta.apiVersion
        let kind = envelope.typeMeta.kind
        guard let messageType = KindMessages.message(apiVersion: apiVersion, kind: kind) else {
            throw .unsupportedKind(apiVersion: apiVersion, kind: kind)
        }
        var object = try decode(messageType, envelope.raw)
        object["apiVersion"] = .string(apiVersion)
        object["kind"] = .string(kind)
        return .object(object)
    }

    private static func decode(_ messageType: any Message.Type, _ raw: Data) throws(ProtobufBodyError) -> [String: JSONValue] {
        do {
            let message = try messageType.init(serializedBytes: raw)
            guard case .object(let fields) = try JSONFromProto.value(of: message, schema: .shared) else {
                throw ProtobufBodyError.malformed("\(messageType.protoMessageName) is not an object")
            }
            return fields
        } catch let error as ProtobufBodyError {
            throw error
        } catch {
            throw .malformed("\(messageType.protoMessageName): \(error)")
        }
    }
}

/// The top-level kinds whose protobuf form is decoded: those kubectl's imperative commands send.
enum KindMessages {
    static func message(apiVersion: String, kind: String) -> (any Message.Type)? {
        switch (apiVersion, kind) {
        case ("v1", "Namespace"): K8s_Io_Api_Core_V1_Namespace.self
        case ("v1", "ConfigMap"): K8s_Io_Api_Core_V1_ConfigMap.self
        case ("v1", "Secret"): K8s_Io_Api_Core_V1_Secret.self
        case ("v1", "Service"): K8s_Io_Api_Core_V1_Service.self
        case ("v1", "Pod"): K8s_Io_Api_Core_V1_Pod.self
        case ("v1", "ServiceAccount"): K8s_Io_Api_Core_V1_ServiceAccount.self
        case ("rbac.authorization.k8s.io/v1", "Role"): K8s_Io_Api_Rbac_V1_Role.self
        case ("rbac.authorization.k8s.io/v1", "ClusterRole"): K8s_Io_Api_Rbac_V1_ClusterRole.self
        case ("rbac.authorization.k8s.io/v1", "RoleBinding"): K8s_Io_Api_Rbac_V1_RoleBinding.self
        case ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): K8s_Io_Api_Rbac_V1_ClusterRoleBinding.self
        case ("apps/v1", "Deployment"): K8s_Io_Api_Apps_V1_Deployment.self
        case ("batch/v1", "Job"): K8s_Io_Api_Batch_V1_Job.self
        case ("authentication.k8s.io/v1", "TokenRequest"): K8s_Io_Api_Authentication_V1_TokenRequest.self
        case ("authentication.k8s.io/v1", "SelfSubjectReview"): K8s_Io_Api_Authentication_V1_SelfSubjectReview.self
        case ("authorization.k8s.io/v1", "SelfSubjectAccessReview"): K8s_Io_Api_Authorization_V1_SelfSubjectAccessReview.self
        default: nil
        }
    }
}
