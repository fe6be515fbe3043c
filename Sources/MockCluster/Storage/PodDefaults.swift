import JSON

/// The defaults of `k8s.io/kubernetes/pkg/apis/core/v1/defaults.go` for pod specs and their
/// containers, and what admission adds to a Pod itself.
enum PodDefaults {
    static func template(_ template: JSONValue) -> JSONValue {
        var template = template
        setDefault(&template, ["metadata"], [:])
        template["spec"] = spec(template["spec"] ?? [:])
        return template
    }

    static func spec(_ spec: JSONValue) -> JSONValue {
        var spec = spec
        setDefault(&spec, ["restartPolicy"], "Always")
        setDefault(&spec, ["dnsPolicy"], "ClusterFirst")
        setDefault(&spec, ["schedulerName"], "default-scheduler")
        setDefault(&spec, ["terminationGracePeriodSeconds"], 30)
        setDefault(&spec, ["securityContext"], [:])
        for group in ["initContainers", "containers"] {
            if let containers = spec[group]?.arrayValue { spec[group] = .array(containers.map(container)) }
        }
        return spec
    }

    /// What a Pod (not a template) gets besides: service links, the default service account, its
    /// priority, and the not-ready/unreachable tolerations admission adds.
    static func pod(_ spec: JSONValue) -> JSONValue {
        var spec = spec
        setDefault(&spec, ["enableServiceLinks"], true)
        setDefault(&spec, ["serviceAccountName"], "default")
        setDefault(&spec, ["serviceAccount"], spec["serviceAccountName"] ?? "default")
        setDefault(&spec, ["priority"], 0)
        setDefault(&spec, ["preemptionPolicy"], "PreemptLowerPriority")
        setDefault(&spec, ["tolerations"], .array(["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"].map {
            ["key": .string($0), "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300]
        }))
        // Limits without requests request the limits (`SetDefaults_Pod`, init containers too).
        for group in ["containers", "initContainers"] {
            guard let containers = spec[group]?.arrayValue else { continue }
            spec[group] = .array(containers.map { container in
                var container = container
                for (resource, limit) in container[path: ["resources", "limits"]]?.objectValue ?? [:] {
                    setDefault(&container, ["resources", "requests", resource], limit)
                }
                return container
            })
        }
        return spec
    }

    static func container(_ container: JSONValue) -> JSONValue {
        var container = container
        setDefault(&container, ["imagePullPolicy"], pullsAlways(container["image"]?.stringValue ?? "") ? "Always" : "IfNotPresent")
        setDefault(&container, ["terminationMessagePath"], "/dev/termination-log")
        setDefault(&container, ["terminationMessagePolicy"], "File")
        setDefault(&container, ["resources"], [:])
        if let ports = container["ports"]?.arrayValue {
            container["ports"] = .array(ports.map { port in
                var port = port
                setDefault(&port, ["protocol"], "TCP")
                return port
            })
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] where container[probe] != nil {
            container[probe] = self.probe(container[probe] ?? [:])
        }
        return container
    }

    static func probe(_ probe: JSONValue) -> JSONValue {
        var probe = probe
        setDefault(&probe, ["timeoutSeconds"], 1)
        setDefault(&probe, ["periodSeconds"], 10)
        setDefault(&probe, ["successThreshold"], 1)
        setDefault(&probe, ["failureThreshold"], 3)
        if probe["httpGet"] != nil {
            setDefault(&probe, ["httpGet", "path"], "/")
            setDefault(&probe, ["httpGet", "scheme"], "HTTP")
        }
        return probe
    }

    /// `Always` for the `latest` tag, written or implied (no tag and no digest); `IfNotPresent` else.
    /// A registry's port (`host:5000/app`) is not a tag.
    static func pullsAlways(_ image: String) -> Bool {
        if image.contains("@") { return false }
        let lastPart = image.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let colon = lastPart.lastIndex(of: ":") else { return true }
        return lastPart[lastPart.index(after: colon)...] == "latest"
    }
}

func setDefault(_ object: inout JSONValue, _ path: [String], _ value: JSONValue) {
    if object[path: path] == nil { object[path: path] = value }
}
