import Foundation
@testable import HMSCtlCommands
import JSON
import Model
import Testing

/// `hmsctl get` next to an object the controller skips: an INVALID column with its first field
/// error, instead of a decoding failure.
@Suite(.tags(.unit)) struct GetInvalidColumnTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func anInvalidObjectGetsItsFirstErrorInAColumn() {
        let good: JSONValue = ["apiVersion": "ops.hms.gov/v1alpha1", "kind": "ServiceSpec", "metadata": ["name": "web"], "spec": ["image": "registry.gov/web:1"]]
        let bad: JSONValue = ["apiVersion": "ops.hms.gov/v1alpha1", "kind": "ServiceSpec", "metadata": ["name": "broken"],
                              "spec": ["image": "registry.gov/web:1", "replicas": -2, "port": 0]]
        let objects = [good, bad]
        let table = Get.table(objects, columns: [], wide: false, showNamespace: false, findings: objects.map { Get.finding(ServiceSpec.self, $0) }, now: Self.now)
        #expect(table == """
            NAME     INVALID
            web      -
            broken   spec.replicas: must be between 0 and 10000, found -2 (+1 more)

            """)
        // Nothing invalid: the columns kubectl users know, unchanged.
        #expect(Get.table([good], columns: [], wide: false, showNamespace: false, findings: [nil], now: Self.now) == "NAME\nweb\n")
    }
}
