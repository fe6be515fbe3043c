import JSON
import Model
import Testing

/// Objects read from the cluster are admitted one at a time: whatever one holds, the answer is a
/// value or a finding naming its fields, never an error that stops a list.
@Suite(.tags(.unit)) struct AdmissionTests {
    func serviceSpec(_ spec: JSONValue) -> JSONValue {
        [
            "apiVersion": "ops.hms.gov/v1alpha1", "kind": "ServiceSpec",
            "metadata": ["name": "web", "namespace": "aid", "uid": "u-1", "generation": 3], "spec": spec,
        ]
    }

    @Test func aValidObjectIsAdmitted() {
        let admitted = Admitted<ServiceSpec>.admit(serviceSpec(["image": "registry.gov/web:1", "replicas": 2]))
        #expect(admitted.value?.spec.replicas == 2)
        #expect(admitted.invalid == nil)
    }

    @Test func aQuantityThatDoesNotParseNamesItsField() throws {
        let admitted = Admitted<ServiceSpec>.admit(serviceSpec(["image": "registry.gov/web:1", "resources": ["cpu": "5 cores"]]))
        let finding = try #require(admitted.invalid)
        #expect(finding.kind == "ServiceSpec" && finding.namespace == "aid" && finding.name == "web")
        #expect(finding.uid == "u-1" && finding.generation == 3)
        #expect(finding.summary() == #"spec.resources.cpu: invalid quantity "5 cores": expected a number with an optional unit suffix, like 500m, 2 or 512Mi"#)
    }

    @Test func aMissingRequiredFieldIsNamed() throws {
        let finding = try #require(Admitted<ServiceSpec>.admit(serviceSpec(["replicas": 2])).invalid)
        #expect(finding.summary() == "spec.image: required field is missing")
    }

    @Test func aWrongTypeIsNamedWithItsPath() throws {
        let finding = try #require(Admitted<ServiceSpec>.admit(serviceSpec(["image": "registry.gov/web:1", "env": [["name": 7]]])).invalid)
        #expect(finding.issues.first?.path.description == "spec.env[0].name")
    }

    @Test func whatValidationRefusesIsAFindingToo() throws {
        let finding = try #require(Admitted<ServiceSpec>.admit(serviceSpec(["image": "registry.gov/web:1", "replicas": -1, "port": 99999])).invalid)
        #expect(finding.summary() == "spec.replicas: must be between 0 and 10000, found -1; spec.port: must be a port between 1 and 65535, found 99999")
    }

    @Test func aTimeZoneFromAnotherPlanetIsRefused() throws {
        let directive: JSONValue = [
            "apiVersion": "ops.hms.gov/v1alpha1", "kind": "Directive", "metadata": ["name": "d", "namespace": "p"],
            "spec": ["schedule": "0 6 * * *", "timeZone": "Mars/Olympus", "template": ["image": "registry.gov/w:1"], "jobs": [["id": "a"]]],
        ]
        let finding = try #require(Admitted<Directive>.admit(directive).invalid)
        #expect(finding.issues.map(\.path.description).contains("spec.timeZone"))
    }

    @Test func anythingAtAllIsAnswered() {
        for object: JSONValue in [.null, 7, "text", [], ["kind": "ServiceSpec"], ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "x"]]] {
            #expect(Admitted<ServiceSpec>.admit(object).invalid != nil)
        }
    }

    @Test func aSummaryIsBounded() {
        let issues = (0..<10_000).map { FieldIssue("spec.env[\($0)].name", String(repeating: "x", count: 100)) }
        let finding = InvalidObject(kind: "ServiceSpec", namespace: "a", name: "b", issues: issues)
        #expect(finding.summary().count < 1_100)
        #expect(finding.summary().hasSuffix("(10000 issues)"))
    }
}
