import Foundation
import JSON
import Manifests
import Model
import Testing

/// The direct encoder must give what Foundation's encoder, written and parsed again, gives: it
/// builds every body `hmsctl` and the controller send.
@Suite(.tags(.unit)) struct JSONValueEncoderTests {
    @Test func everyExampleResourceEncodesAsFoundationWouldHave() throws {
        let examples = ManifestLoader().load([ManifestDecoderTests.repository.appendingPathComponent("manifests/examples").path])
        #expect(examples.manifests.count >= 10)
        for manifest in examples.manifests {
            let resource = manifest.resource.resource
            let direct = try JSONValueEncoder().encode(resource)
            let viaBytes = try JSONValue(parsing: Array(JSONEncoder().encode(resource)))
            #expect(direct.jsonBytes == viaBytes.jsonBytes, "\(manifest.file): \(resource.metadata.name)")
            #expect(direct.differences(from: viaBytes).isEmpty, "\(manifest.file): \(resource.metadata.name)")
        }
    }

    @Test func statusesWithConditionsAndNumbers() throws {
        var status = ServiceSpec.Status()
        status.replicas = 3
        status.costUSDPerHour = 0.125
        status.conditions = [Condition(type: "Ready", status: "True", reason: "ReplicasReady", message: "3 of 3 \"ready\"\n")]
        let direct = try JSONValueEncoder().encode(status)
        #expect(direct == (try JSONValue(parsing: Array(JSONEncoder().encode(status)))))
        #expect(direct["costUSDPerHour"] == .double(0.125))
    }

    private struct Shapes: Encodable {
        var whole = 2.0
        var nested = [[1, 2], []]
        var optional: String? = nil
        var map = ["b": true, "a": false]
        var free: JSONValue = ["k": [1, "two", .null]]

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case whole, nested, optional, map, free, inner }
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(whole, forKey: .whole)
            try container.encode(nested, forKey: .nested)
            try container.encodeIfPresent(optional, forKey: .optional)
            try container.encode(map, forKey: .map)
            try container.encode(free, forKey: .free)
            var inner = container.nestedUnkeyedContainer(forKey: .inner)
            try inner.encodeNil()
            var deeper = inner.nestedContainer(keyedBy: Keys.self)
            try deeper.encode(1.5, forKey: .whole)
            // A name encoded again keeps its last value.
            try deeper.encode("first", forKey: .optional)
            try deeper.encode("last", forKey: .optional)
            try inner.encode([3, 4])
        }
    }

    @Test func containersNestAsTheyDoInJSONEncoder() throws {
        let direct = try JSONValueEncoder().encode(Shapes())
        #expect(direct == (try JSONValue(parsing: Array(JSONEncoder().encode(Shapes())))))
        #expect(direct["whole"] == .int(2))  // a whole double reads back as an integer
        #expect(direct["optional"] == nil)
        #expect(direct["inner"] == [nil, ["whole": 1.5, "optional": "last"], [3, 4]])
    }
}
