import JSON

extension MockCluster {
    /// `SetDefaults_Service` and what the Service registry allocates: a cluster IP (kept across
    /// updates that leave it out, as the registry patches allocated values back), single-stack
    /// IPv4, node ports for NodePort and LoadBalancer Services.
    mutating func serviceDefaults(_ object: inout JSONValue, previous: JSONValue?) {
        setDefault(&object, ["spec", "type"], "ClusterIP")
        setDefault(&object, ["spec", "sessionAffinity"], "None")
        let type = object[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        let previousPorts = previous?[path: ["spec", "ports"]]?.arrayValue ?? []
        if let ports = object[path: ["spec", "ports"]]?.arrayValue {
            object[path: ["spec", "ports"]] = .array(ports.map { port in
                var port = port
                setDefault(&port, ["protocol"], "TCP")
                setDefault(&port, ["targetPort"], port["port"] ?? 80)
                if type == "NodePort" || type == "LoadBalancer" {
                    let kept = previousPorts.first { $0["port"] == port["port"] }?["nodePort"]
                    setDefault(&port, ["nodePort"], kept ?? .int(30000 + Int(random.next() % 2768)))
                }
                return port
            })
        }
        setDefault(&object, ["status"], ["loadBalancer": [:]])
        guard type != "ExternalName" else { return }
        setDefault(&object, ["spec", "internalTrafficPolicy"], "Cluster")
        if type == "NodePort" || type == "LoadBalancer" { setDefault(&object, ["spec", "externalTrafficPolicy"], "Cluster") }
        if type == "LoadBalancer" { setDefault(&object, ["spec", "allocateLoadBalancerNodePorts"], true) }
        if object[path: ["spec", "clusterIP"]] == nil {
            object[path: ["spec", "clusterIP"]] = previous?[path: ["spec", "clusterIP"]]
                ?? .string("10.96.\(random.next() % 250 + 1).\(random.next() % 250 + 1)")
        }
        setDefault(&object, ["spec", "clusterIPs"], [object[path: ["spec", "clusterIP"]] ?? .null])
        setDefault(&object, ["spec", "ipFamilies"], ["IPv4"])
        setDefault(&object, ["spec", "ipFamilyPolicy"], "SingleStack")
    }
}
