/// One field that differs between a live object and a desired one.
public struct JSONDifference: Sendable, Equatable, CustomStringConvertible {
    /// Dotted, with list indexes: `spec.template.spec.containers[0].image`.
    public var path: String
    public var live: JSONValue?
    public var desired: JSONValue?

    public init(path: String, live: JSONValue?, desired: JSONValue?) {
        self.path = path
        self.live = live
        self.desired = desired
    }

    public var description: String {
        "\(path): \(live.map(\.jsonText) ?? "(none)") → \(desired.map(\.jsonText) ?? "(none)")"
    }
}

extension JSONValue {
    /// The fields this desired value sets that `live` lacks or holds differently. Fields only the
    /// live value has (defaults the server filled in) are not differences.
    public func differences(from live: JSONValue?, at path: String = "") -> [JSONDifference] {
        switch (self, live) {
        case (.object(let desiredMembers), .object(let liveMembers)?):
            return desiredMembers.keys.sorted().flatMap { key in
                (desiredMembers[key] ?? .null).differences(from: liveMembers[key], at: path.isEmpty ? key : "\(path).\(key)")
            }
        case (.array(let desiredItems), .array(let liveItems)?) where desiredItems.count == liveItems.count:
            return desiredItems.indices.flatMap { desiredItems[$0].differences(from: liveItems[$0], at: "\(path)[\($0)]") }
        case (_, let live?) where live == self:
            return []
        case (.int(let number), .double(let other)?) where Double(number) == other:
            return []
        default:
            return [JSONDifference(path: path, live: live, desired: self)]
        }
    }
}
