import Foundation
import JSON
@testable import MockCluster
import Testing

/// A Job's selector, template, completions and completion mode are fixed once it exists, as
/// `ValidateJobSpecUpdate` fixes them, with the exceptions the apiserver makes: elastic Indexed
/// Jobs, and the scheduling directives of a suspended Job that never started.
@Suite(.tags(.unit)) struct JobUpdateTests {
    static let jobs = "/apis/batch/v1/namespaces/default/jobs"

    private static func created(_ job: JSONValue = Harness.job("once")) -> (Harness, JSONValue) {
        var harness = Harness()
        let answer = harness.send("POST", jobs, job)
        #expect(answer.status == 201)
        let name = job[path: ["metadata", "name"]]?.stringValue ?? ""
        return (harness, harness.get(jobs + "/" + name))
    }

    private static func causes(_ answer: JSONValue) -> [JSONValue] { answer[path: ["details", "causes"]]?.arrayValue ?? [] }

    @Test func aJobsTemplateCannotChangeThroughPutPatchOrApply() {
        var (harness, live) = Self.created()
        var changed = live
        changed[path: ["spec", "template", "spec", "containers"]] = [["name": "worker", "image": "registry.gov/worker:2"]]
        let put = harness.send("PUT", Self.jobs + "/once", changed)
        #expect(put.status == 422)
        #expect(put.json["reason"] == "Invalid")
        #expect(Self.causes(put.json).map { $0["field"] } == ["spec.template"])
        #expect(Self.causes(put.json).first?["reason"] == "FieldValueInvalid")
        #expect(put.json["message"]?.stringValue?.hasPrefix(#"Job.batch "once" is invalid: spec.template: Invalid value: "#) == true)
        #expect(put.json["message"]?.stringValue?.hasSuffix(": field is immutable") == true)

        let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "worker", "image": "registry.gov/worker:2"]]]]]]
        let patched = harness.send("PATCH", Self.jobs + "/once", patch, contentType: "application/strategic-merge-patch+json")
        #expect(patched.status == 422)
        #expect(Self.causes(patched.json).map { $0["field"] } == ["spec.template"])

        var applied = Harness.job("once")
        applied[path: ["spec", "template", "spec", "containers"]] = [["name": "worker", "image": "registry.gov/worker:2"]]
        let apply = harness.send("PATCH", Self.jobs + "/once?fieldManager=tests&force=true", applied, contentType: "application/apply-patch+yaml")
        #expect(apply.status == 422)
        #expect(Self.causes(apply.json).map { $0["field"] } == ["spec.template"])
        live = harness.get(Self.jobs + "/once")
        #expect(live[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"] == "registry.gov/worker:1")
    }

    @Test func aJobsSelectorCompletionsAndCompletionModeCannotChange() {
        var (harness, live) = Self.created()
        var changed = live
        changed[path: ["spec", "completions"]] = 3
        changed[path: ["spec", "completionMode"]] = "Indexed"
        changed[path: ["spec", "selector", "matchLabels", "extra"]] = "x"
        changed[path: ["spec", "template", "metadata", "labels", "extra"]] = "x"
        let answer = harness.send("PUT", Self.jobs + "/once", changed)
        #expect(answer.status == 422)
        #expect(Self.causes(answer.json).map { $0["field"] } == ["spec.completions", "spec.selector", "spec.template", "spec.completionMode"])
        let uid = live[path: ["metadata", "uid"]]?.stringValue ?? ""
        #expect(Self.causes(answer.json).map { $0["message"] } == [
            // The new spec says Indexed, so its completions are judged as an elastic Indexed Job's.
            "Invalid value: 3: can only be modified in tandem with spec.parallelism",
            .string(#"Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"batch.kubernetes.io/controller-uid":"\#(uid)", "extra":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"#),
            Self.causes(answer.json)[2]["message"] ?? "",
            #"Invalid value: "Indexed": field is immutable"#,
        ])
    }

    @Test func aNonIndexedJobsCompletionsAreImmutable() {
        var (harness, _) = Self.created()
        let answer = harness.send("PATCH", Self.jobs + "/once", ["spec": ["completions": 3, "parallelism": 3]], contentType: "application/merge-patch+json")
        #expect(answer.status == 422)
        #expect(answer.json["message"] == #"Job.batch "once" is invalid: spec.completions: Invalid value: 3: field is immutable"#)
    }

    @Test func anIndexedJobsCompletionsChangeOnlyInStepWithParallelism() {
        var job = Harness.job("wide")
        job[path: ["spec", "completionMode"]] = "Indexed"
        job[path: ["spec", "completions"]] = 2
        job[path: ["spec", "parallelism"]] = 2
        var (harness, _) = Self.created(job)
        let alone = harness.send("PATCH", Self.jobs + "/wide", ["spec": ["completions": 4]], contentType: "application/merge-patch+json")
        #expect(alone.status == 422)
        #expect(alone.json["message"] == #"Job.batch "wide" is invalid: spec.completions: Invalid value: 4: can only be modified in tandem with spec.parallelism"#)
        let inStep = harness.send("PATCH", Self.jobs + "/wide", ["spec": ["completions": 4, "parallelism": 4]], contentType: "application/merge-patch+json")
        #expect(inStep.status == 200)
        #expect(inStep.json[path: ["spec", "completions"]] == 4)
    }

    @Test func aSuspendedJobThatNeverStartedMayChangeItsSchedulingDirectivesOnly() {
        var job = Harness.job("later")
        job[path: ["spec", "suspend"]] = true
        var (harness, live) = Self.created(job)
        #expect(live[path: ["status", "startTime"]] == nil)
        let directives: JSONValue = ["spec": ["template": [
            "metadata": ["labels": ["zone": "a"], "annotations": ["note": "b"]],
            "spec": ["nodeSelector": ["disk": "ssd"], "tolerations": [["key": "k", "operator": "Exists"]]],
        ]]]
        let allowed = harness.send("PATCH", Self.jobs + "/later", directives, contentType: "application/strategic-merge-patch+json")
        #expect(allowed.status == 200)
        #expect(allowed.json[path: ["spec", "template", "spec", "nodeSelector", "disk"]] == "ssd")
        let image: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "worker", "image": "registry.gov/worker:2"]]]]]]
        let refused = harness.send("PATCH", Self.jobs + "/later", image, contentType: "application/strategic-merge-patch+json")
        #expect(refused.status == 422)
        #expect(Self.causes(refused.json).map { $0["field"] } == ["spec.template"])

        // Once resumed it has started: its directives are fixed as well.
        let resumed = harness.send("PATCH", Self.jobs + "/later", ["spec": ["suspend": false]], contentType: "application/merge-patch+json")
        #expect(resumed.status == 200)
        live = harness.get(Self.jobs + "/later")
        #expect(live[path: ["status", "startTime"]] != nil)
        let suspendAgain = harness.send("PATCH", Self.jobs + "/later", ["spec": ["suspend": true]], contentType: "application/merge-patch+json")
        #expect(suspendAgain.status == 200)
        let moved = harness.send("PATCH", Self.jobs + "/later", ["spec": ["template": ["spec": ["nodeSelector": ["disk": "hdd"]]]]],
                                 contentType: "application/strategic-merge-patch+json")
        #expect(moved.status == 422)
    }

    @Test func aJobsMetadataAndParallelismStillChange() {
        var (harness, _) = Self.created()
        let answer = harness.send("PATCH", Self.jobs + "/once", ["metadata": ["labels": ["team": "a"]], "spec": ["parallelism": 2]],
                                  contentType: "application/merge-patch+json")
        #expect(answer.status == 200)
    }
}
