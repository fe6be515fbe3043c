import Foundation
import JSON
@testable import MockCluster
import Testing

/// Built-in objects stored as kube-apiserver stores them: defaults filled in, empty values dropped,
/// unknown fields handled per `fieldValidation`, and sizes limited as etcd and the apiserver limit them.
@Suite(.tags(.unit)) struct StorageTests {
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"

    @Test func aDeploymentReadsBackWithTheApiserversDefaults() {
        var harness = Harness()
        var sent = Harness.deployment("web", replicas: 2)
        sent[path: ["spec", "template", "spec", "containers"]] = [[
            "name": "web", "image": "registry.gov/web:1.0", "ports": [["containerPort": 8080]],
            "readinessProbe": ["httpGet": ["port": 8080]],
        ]]
        #expect(harness.send("POST", Self.deployments, sent).status == 201)
        let stored = harness.get(Self.deployments + "/web")
        #expect(stored["spec"]?["strategy"] == ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]])
        #expect(stored[path: ["spec", "revisionHistoryLimit"]] == 10)
        #expect(stored[path: ["spec", "progressDeadlineSeconds"]] == 600)
        let pod = stored[path: ["spec", "template", "spec"]] ?? [:]
        #expect(pod["restartPolicy"] == "Always")
        #expect(pod["dnsPolicy"] == "ClusterFirst")
        #expect(pod["schedulerName"] == "default-scheduler")
        #expect(pod["terminationGracePeriodSeconds"] == 30)
        #expect(pod["securityContext"] == [:])
        let container = pod["containers"]?.arrayValue?.first ?? [:]
        #expect(container["imagePullPolicy"] == "IfNotPresent")
        #expect(container["terminationMessagePath"] == "/dev/termination-log")
        #expect(container["terminationMessagePolicy"] == "File")
        #expect(container["resources"] == [:])
        #expect(container["ports"] == [["containerPort": 8080, "protocol": "TCP"]])
        #expect(container["readinessProbe"] == [
            "httpGet": ["port": 8080, "path": "/", "scheme": "HTTP"],
            "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3,
        ])
    }

    @Test func podsOfADeploymentGetWhatAdmissionAddsToAPod() {
        var harness = Harness()
        harness.send("POST", Self.deployments, Harness.deployment("web", replicas: 1))
        harness.wait(0.1)
        let spec = harness.pods().first?["spec"] ?? [:]
        #expect(spec["enableServiceLinks"] == true)
        #expect(spec["serviceAccountName"] == "default")
        #expect(spec["priority"] == 0)
        #expect(spec["preemptionPolicy"] == "PreemptLowerPriority")
        #expect(spec["tolerations"]?.arrayValue?.count == 2)
        #expect(spec["restartPolicy"] == "Always")
    }

    @Test(arguments: [
        ("nginx", "Always"), ("nginx:latest", "Always"), ("localhost:5000/app", "Always"), ("localhost:5000/app:1.2", "IfNotPresent"),
        ("registry.gov/web:1.0", "IfNotPresent"), ("app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent"),
    ])
    func imagePullPolicyFollowsTheTag(image: String, policy: String) {
        var harness = Harness()
        #expect(harness.send("POST", Self.deployments, Harness.deployment("web", replicas: 1, image: image)).status == 201)
        let container = harness.get(Self.deployments + "/web")[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first
        #expect(container?["imagePullPolicy"] == .string(policy))
    }

    @Test func emptyAndNullValuesAreNotStored() {
        var harness = Harness()
        var sent = Harness.deployment("web", replicas: 1)
        sent[path: ["metadata", "annotations"]] = [:]
        sent[path: ["metadata", "labels"]] = [:]
        sent[path: ["spec", "minReadySeconds"]] = .null
        sent[path: ["spec", "template", "spec", "containers"]] = [["name": "web", "image": "web:1", "env": [], "args": .null]]
        #expect(harness.send("POST", Self.deployments, sent).status == 201)
        let stored = harness.get(Self.deployments + "/web")
        #expect(stored[path: ["metadata", "annotations"]] == nil)
        #expect(stored[path: ["metadata", "labels"]] == nil)
        #expect(stored[path: ["spec", "minReadySeconds"]] == nil)
        let container = stored[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first
        #expect(container?["env"] == nil)
        #expect(container?["args"] == nil)
    }

    @Test func aServiceGetsItsPortsClusterIPsAndPolicies() {
        var harness = Harness()
        let service: JSONValue = ["metadata": ["name": "web"], "spec": ["selector": ["app": "web"], "ports": [["port": 80]]]]
        #expect(harness.send("POST", "/api/v1/namespaces/default/services", service).status == 201)
        let spec = harness.get("/api/v1/namespaces/default/services/web")["spec"] ?? [:]
        #expect(spec["type"] == "ClusterIP")
        #expect(spec["sessionAffinity"] == "None")
        #expect(spec["ports"] == [["port": 80, "protocol": "TCP", "targetPort": 80]])
        #expect(spec["clusterIPs"] == [spec["clusterIP"] ?? .null])
        #expect(spec["ipFamilies"] == ["IPv4"])
        #expect(spec["ipFamilyPolicy"] == "SingleStack")
        #expect(spec["internalTrafficPolicy"] == "Cluster")
        // An update that leaves the cluster IP out keeps it, as the Service registry does.
        let live = harness.get("/api/v1/namespaces/default/services/web")
        var update = service
        update[path: ["metadata", "resourceVersion"]] = live[path: ["metadata", "resourceVersion"]]
        let updated = harness.send("PUT", "/api/v1/namespaces/default/services/web", update)
        #expect(updated.status == 200)
        #expect(updated.json[path: ["spec", "clusterIP"]] == spec["clusterIP"])
    }

    @Test func aJobWithoutRestartPolicyIsRefusedAndAJobTakesItsTemplatesLabels() {
        var harness = Harness()
        var job = Harness.job("once")
        job[path: ["spec", "template", "spec", "restartPolicy"]] = nil
        let refused = harness.send("POST", "/apis/batch/v1/namespaces/default/jobs", job)
        #expect(refused.status == 422)
        #expect(refused.json["message"] == #"Job.batch "once" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never""#)
        let created = harness.send("POST", "/apis/batch/v1/namespaces/default/jobs", Harness.job("once"))
        #expect(created.status == 201)
        let spec = created.json["spec"] ?? [:]
        #expect(spec["completions"] == 1)
        #expect(spec["parallelism"] == 1)
        #expect(spec["backoffLimit"] == 0)
        #expect(spec["completionMode"] == "NonIndexed")
        #expect(spec["suspend"] == false)
        #expect(spec["podReplacementPolicy"] == "TerminatingOrFailed")
        #expect(created.json[path: ["metadata", "labels", "job-name"]] == "once")
    }

    // MARK: - Validation

    @Test func anInvalidJobNameIsRefusedWithTheApiserversMessageAndCause() {
        var harness = Harness()
        let answer = harness.send("POST", "/apis/batch/v1/namespaces/default/jobs", Harness.job("Bad_Job_Name"))
        #expect(answer.status == 422)
        let problem = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        #expect(answer.json["reason"] == "Invalid")
        // Named by kind, not resource: kubectl prints `The Job "Bad_Job_Name" is invalid`.
        #expect(answer.json[path: ["details", "kind"]] == "Job")
        #expect(answer.json[path: ["details", "group"]] == "batch")
        #expect(answer.json["message"] == .string(#"Job.batch "Bad_Job_Name" is invalid: metadata.name: Invalid value: "Bad_Job_Name": "# + problem))
        #expect(answer.json[path: ["details", "causes"]] == [
            ["reason": "FieldValueInvalid", "message": .string(#"Invalid value: "Bad_Job_Name": "# + problem), "field": "metadata.name"],
        ])
    }

    @Test func serviceNamesAreDNS1035LabelsAndNamespaceNamesDNS1123Labels() {
        var harness = Harness()
        let service = harness.send("POST", "/api/v1/namespaces/default/services", ["metadata": ["name": "my.svc"], "spec": ["ports": [["port": 80]]]])
        #expect(service.status == 422)
        #expect(service.json["message"] == #"Service "my.svc" is invalid: metadata.name: Invalid value: "my.svc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"#)
        let namespace = harness.send("POST", "/api/v1/namespaces", ["metadata": ["name": "team.a"]])
        #expect(namespace.status == 422)
        #expect(namespace.json["message"] == #"Namespace "team.a" is invalid: metadata.name: Invalid value: "team.a": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"#)
    }

    @Test func severalProblemsAreReportedTogetherWithOneCauseEach() {
        var harness = Harness()
        var sent = Harness.deployment("web", replicas: -1)
        sent[path: ["spec", "template", "spec", "containers"]] = [
            ["name": "Web", "image": "web:1", "ports": [["containerPort": 99999]]],
            ["name": "side"],
        ]
        sent[path: ["metadata", "labels"]] = ["app": "bad value!"]
        let answer = harness.send("POST", Self.deployments, sent)
        #expect(answer.status == 422)
        let causes = answer.json[path: ["details", "causes"]]?.arrayValue ?? []
        let summary = causes.map { "\($0["reason"]?.stringValue ?? "") \($0["field"]?.stringValue ?? "")" }
        #expect(summary == [
            "FieldValueInvalid metadata.labels",
            "FieldValueInvalid spec.replicas",
            "FieldValueInvalid spec.template.spec.containers[0].name",
            "FieldValueInvalid spec.template.spec.containers[0].ports[0].containerPort",
            "FieldValueRequired spec.template.spec.containers[1].image",
        ])
        let messages = causes.map { $0["message"]?.stringValue ?? "" }
        #expect(messages.contains("Invalid value: 99999: must be between 1 and 65535, inclusive"))
        #expect(messages.contains("Invalid value: -1: must be greater than or equal to 0"))
        let message = answer.json["message"]?.stringValue ?? ""
        #expect(message.hasPrefix(#"Deployment.apps "web" is invalid: [metadata.labels: Invalid value: "bad value!": a valid label must be an empty string"#))
        #expect(message.hasSuffix(", spec.template.spec.containers[1].image: Required value]"))
    }

    @Test func aSelectorThatMissesTheTemplateIsRefused() {
        var harness = Harness()
        var sent = Harness.deployment("web", replicas: 1)
        sent[path: ["spec", "selector", "matchLabels"]] = ["app": "other"]
        let answer = harness.send("POST", Self.deployments, sent)
        #expect(answer.status == 422)
        #expect(answer.json["message"] == #"Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`"#)
    }

    @Test func aDeploymentsSelectorCannotChange() {
        var harness = Harness()
        harness.send("POST", Self.deployments, Harness.deployment("web", replicas: 1))
        var changed = Harness.deployment("web", replicas: 1)
        changed[path: ["spec", "selector", "matchLabels", "tier"]] = "front"
        changed[path: ["spec", "template", "metadata", "labels", "tier"]] = "front"
        let answer = harness.send("PUT", Self.deployments + "/web", changed)
        #expect(answer.status == 422)
        #expect(answer.json["message"] == #"Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"front"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"#)
    }

    @Test func duplicateContainerNamesAndBadServicePortsAreRefused() {
        var harness = Harness()
        var sent = Harness.deployment("web", replicas: 1)
        sent[path: ["spec", "template", "spec", "containers"]] = [["name": "web", "image": "a:1"], ["name": "web", "image": "b:1"]]
        let duplicate = harness.send("POST", Self.deployments, sent)
        #expect(duplicate.json[path: ["details", "causes"]] == [
            ["reason": "FieldValueDuplicate", "message": #"Duplicate value: "web""#, "field": "spec.template.spec.containers[1].name"],
        ])
        let service: JSONValue = ["metadata": ["name": "web"], "spec": ["ports": [["port": 80, "protocol": "HTTP"], ["port": 81, "name": "Metrics"]]]]
        let answer = harness.send("POST", "/api/v1/namespaces/default/services", service)
        #expect(answer.status == 422)
        #expect(answer.json[path: ["details", "causes"]]?.arrayValue?.map { $0["field"] ?? .null } == [
            "spec.ports[0].name", "spec.ports[0].protocol", "spec.ports[1].name",
        ])
        #expect((answer.json[path: ["details", "causes"]]?.arrayValue ?? [])[1]["message"]
            == #"Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP""#)
    }

    @Test func annotationsOver256KiBAreTooLong() {
        var harness = Harness()
        var sent = Harness.deployment("web", replicas: 1)
        sent[path: ["metadata", "annotations"]] = ["notes": .string(String(repeating: "x", count: 256 * 1024))]
        let answer = harness.send("POST", Self.deployments, sent)
        #expect(answer.status == 422)
        #expect(answer.json[path: ["details", "causes"]] == [
            ["reason": "FieldValueTooLong", "message": "Too long: may not be more than 262144 bytes", "field": "metadata.annotations"],
        ])
    }

    // MARK: - Unknown fields

    @Test func unknownFieldsAreRefusedUnderStrictWarnedUnderWarnAndDroppedUnderIgnore() {
        var harness = Harness()
        var sent = Harness.deployment("web", replicas: 1)
        sent[path: ["spec", "foo"]] = 1
        sent[path: ["spec", "template", "spec", "containers"]] = [["name": "web", "image": "web:1", "healthChek": true]]
        let strict = harness.send("POST", Self.deployments + "?fieldValidation=Strict", sent)
        #expect(strict.status == 400)
        #expect(strict.json["reason"] == "BadRequest")
        #expect(strict.json["message"] == #"Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].healthChek""#)
        let warned = harness.send("POST", Self.deployments, sent)
        #expect(warned.status == 201)
        #expect(warned.response.warningHeaders == [
            #"299 - "unknown field \"spec.foo\"""#, #"299 - "unknown field \"spec.template.spec.containers[0].healthChek\"""#,
        ])
        #expect(warned.json[path: ["spec", "foo"]] == nil)
        var quiet = sent
        quiet[path: ["metadata", "name"]] = "quiet"
        let ignored = harness.send("POST", Self.deployments + "?fieldValidation=Ignore", quiet)
        #expect(ignored.status == 201)
        #expect(ignored.response.warningHeaders.isEmpty)
        #expect(ignored.json[path: ["spec", "foo"]] == nil)
    }

    /// Go cannot decode a value of the wrong JSON type into its field: refused whatever
    /// fieldValidation says, never stored as sent.
    @Test func aValueOfTheWrongTypeIsRefusedAsGoFailsToDecodeIt() {
        var harness = Harness()
        var sent = Harness.deployment("typed", replicas: 1)
        sent[path: ["spec", "replicas"]] = "3"
        let refused = harness.send("POST", Self.deployments + "?fieldValidation=Ignore", sent)
        #expect(refused.status == 400)
        #expect(refused.json["message"]
            == #"Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field spec.replicas of type int32"#)
        #expect(harness.send("GET", Self.deployments + "/typed").status == 404)
        // A label value must be a string; a container port a number.
        var labelled = Harness.deployment("labelled", replicas: 1)
        labelled[path: ["metadata", "labels", "tier"]] = 2
        #expect(harness.send("POST", Self.deployments, labelled).json["message"]?.stringValue?
            .hasSuffix("cannot unmarshal number into Go struct field metadata.labels.tier of type string") == true)
        // Int-or-string fields take both; a whole number written as 2.0 is a number.
        var flexible = Harness.deployment("flexible", replicas: 1)
        flexible[path: ["spec", "strategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "50%", "maxUnavailable": 1]]
        flexible[path: ["spec", "replicas"]] = .double(2)
        #expect(harness.send("POST", Self.deployments, flexible).status == 201)
    }

    @Test func anUnknownFieldValidationDirectiveIsRefused() {
        var harness = Harness()
        let answer = harness.send("POST", Self.deployments + "?fieldValidation=strict", Harness.deployment("web", replicas: 1))
        #expect(answer.status == 422)
        #expect(answer.json["message"] == #"CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn""#)
    }

    // MARK: - Limits

    @Test func objectsOverEtcdsLimitAreRefusedAsTheApiserverPassesEtcdsError() {
        var harness = Harness()
        let big = String(repeating: "x", count: 1000 * 1024)
        let map: JSONValue = ["metadata": ["name": "big"], "data": ["a": .string(big), "b": .string(big)]]
        let answer = harness.send("POST", "/api/v1/namespaces/default/configmaps", map)
        // 2,000 KB of data is over the 1 MiB ConfigMap limit first.
        #expect(answer.status == 422)
        let edge = harness.send("POST", "/api/v1/namespaces/default/configmaps", ["metadata": ["name": "edge", "annotations": ["a": .string(String(repeating: "y", count: 200 * 1024))]], "data": ["a": .string(String(repeating: "z", count: 1000 * 1024)), "b": .string(String(repeating: "z", count: 24 * 1024))]])
        #expect(edge.status == 201)
    }

    @Test func aStoredObjectOver1_5MiBIsAnEtcdError() throws {
        var harness = Harness()
        // Events are not size-checked by validation: only etcd stops them.
        let event: JSONValue = [
            "metadata": ["name": "big"], "involvedObject": ["kind": "Pod", "name": "x"],
            "message": .string(String(repeating: "m", count: 1600 * 1024)),
        ]
        let answer = harness.send("POST", "/api/v1/namespaces/default/events", event)
        #expect(answer.status == 500)
        #expect(answer.json == [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": "etcdserver: request is too large", "code": 500,
        ])
    }

    @Test func requestBodiesOver3MiBAre413() {
        var harness = Harness()
        let request = APIRequest(
            method: "POST", path: "/api/v1/namespaces/default/configmaps", headers: ["content-type": "application/json"],
            body: Array(repeating: UInt8(ascii: " "), count: 3 * 1024 * 1024 + 1))
        let response = harness.cluster.handle(request, now: harness.now)
        #expect(response.status == 413)
        let status = (try? JSONValue(parsing: response.bodyBytes)) ?? .null
        #expect(status["reason"] == "RequestEntityTooLarge")
        #expect(status["message"] == "Request entity too large: limit is 3145728")
    }
}
