import Foundation
import JSON
import Model

/// The Approval resource that releases or refuses one held action: written by `hmsctl approve/reject`
/// and by the console's buttons, the same object either way.
public enum ApprovalObject {
    /// Action ids look like `act-0123456789abcdef`.
    public static func isActionID(_ id: String) -> Bool {
        id.hasPrefix("act-") && id.count == 20 && id.dropFirst(4).allSatisfy(\.isHexDigit)
    }

    public static func name(id: String, decision: Approval.Decision) -> String {
        "\(decision == .approve ? "approve" : "reject")-\(id.dropFirst(4))"
    }

    /// `groups`: the approver's groups as the cluster authenticated them (SelfSubjectReview,
    /// TokenReview), kept so that the controller's SubjectAccessReview asks about the same subject.
    public static func make(
        id: String, decision: Approval.Decision, by approver: String, groups: [String] = [], expires: Date, comment: String?, namespace: String
    ) -> JSONValue {
        var spec: JSONValue = [
            "action": .string(id), "approvedBy": .string(approver), "expiresAt": .string(RFC3339.string(from: expires)),
            "decision": .string(decision.rawValue),
        ]
        if !groups.isEmpty { spec["approverGroups"] = .array(groups.map(JSONValue.string)) }
        if let comment { spec["comment"] = .string(comment) }
        return [
            "apiVersion": .string(API.apiVersion), "kind": "Approval",
            "metadata": ["name": .string(name(id: id, decision: decision)), "namespace": .string(namespace)], "spec": spec,
        ]
    }
}
