import JSON
import KubeProto

/// Request bodies in `application/vnd.kubernetes.protobuf`, as kubectl's typed clients send them
/// (`create namespace|deployment|configmap|secret|job|service|role|rolebinding|serviceaccount`,
/// `create token`, `auth can-i`, `auth whoami`): read into the JSON the rest of the write path takes.
/// Answers stay JSON, which kubectl accepts.
enum ProtobufBody {
    static let contentType = "application/vnd.kubernetes.protobuf"

    static func json(_ body: [UInt8], contentType: String) throws(APIError) -> JSONValue {
        do {
            return try KubeProtobuf.json(fromEnvelope: body)
        } catch {
            switch error {
            case .malformed(let problem):
                throw .badRequest("error decoding the protobuf request body: \(problem)")
            case .unsupportedKind:
                // What kube-apiserver answers for kinds without a protobuf form (custom resources).
                throw .unsupportedMediaType(contentType, accepted: ["application/json", "application/yaml"])
            case .unknownField(let message, let number):
                throw APIError(
                    code: 501, reason: "NotImplemented",
                    message: "the mock cluster does not decode field \(number) of \(message) in protobuf bodies; send the object as JSON")
            }
        }
    }
}
