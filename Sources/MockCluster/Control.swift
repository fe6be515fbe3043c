import Foundation
import JSON

/// Faults injected into API requests (never into `/mock/v1/`), drawn from the seeded generator.
struct Faults: Sendable, Equatable {
    var errorRate = 0.0
    var resetRate = 0.0
    var conflictRate = 0.0
    var latencyMs = 0.0

    var latencySeconds: Double { latencyMs / 1000 }

    /// The bounds a test may set: rates are probabilities; latency at most a minute, so that a huge
    /// number cannot become a sleep that overflows.
    static let maximumLatencyMs = 60_000.0

    struct Problem: Error { var message: String }

    /// The faults a `PUT /mock/v1/faults` body names; every member is checked, none is applied on error.
    static func parsing(_ body: JSONValue) -> Result<Faults, Problem> {
        var faults = Faults()
        for (name, value) in body.objectValue ?? [:] {
            let limit = name == "latencyMs" ? maximumLatencyMs : 1
            guard let number = value.doubleValue, number.isFinite, number >= 0, number <= limit else {
                return .failure(Problem(message: "\"\(name)\" must be a number from 0 to \(Int(limit))"))
            }
            switch name {
            case "errorRate": faults.errorRate = number
            case "resetRate": faults.resetRate = number
            case "conflictRate": faults.conflictRate = number
            case "latencyMs": faults.latencyMs = number
            default: return .failure(Problem(message: "unknown fault \"\(name)\": errorRate, resetRate, conflictRate, latencyMs"))
            }
        }
        return .success(faults)
    }

    var json: JSONValue {
        ["errorRate": .double(errorRate), "resetRate": .double(resetRate), "conflictRate": .double(conflictRate), "latencyMs": .double(latencyMs)]
    }

    func draw(for request: APIRequest, using random: inout SplitMix64) -> APIResponse? {
        guard errorRate > 0 || resetRate > 0 || conflictRate > 0 else { return nil }
        let roll = Double(random.next() >> 11) / Double(1 << 53)
        if roll < resetRate { return APIResponse(status: 0, body: .connectionReset) }
        if roll < resetRate + errorRate { return APIError.internalError.response }
        let isWrite = ["PUT", "PATCH", "POST"].contains(request.method)
        if isWrite, roll < resetRate + errorRate + conflictRate {
            return APIError(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again (injected)").response
        }
        return nil
    }
}

/// One number of a control body, checked: a number (never a string, a boolean or null), finite,
/// within bounds a test can mean (huge values would overflow the metrics' arithmetic).
struct ControlNumber {
    static func read(_ body: JSONValue, _ name: String, default fallback: Double? = nil, within range: ClosedRange<Double>) -> Result<Double, Faults.Problem> {
        guard let value = body[name] else {
            if let fallback { return .success(fallback) }
            return .failure(Faults.Problem(message: "\"\(name)\" is required"))
        }
        guard let number = value.doubleValue, number.isFinite, range.contains(number) else {
            return .failure(Faults.Problem(message: "\"\(name)\" must be a number from \(Self.text(range.lowerBound)) to \(Self.text(range.upperBound))"))
        }
        return .success(number)
    }

    private static func text(_ number: Double) -> String { number == number.rounded() ? String(Int(number)) : String(number) }
}

extension Load {
    /// At most a million requests a second and 10 CPU-seconds each: beyond any test, and far from
    /// overflowing the nanocores the metrics report.
    static func parsing(_ body: JSONValue) -> Result<Load, Faults.Problem> {
        for name in (body.objectValue ?? [:]).keys.sorted() where name != "http_rps" && name != "cpuMillisPerRequest" {
            return .failure(Faults.Problem(message: "unknown field \"\(name)\": http_rps, cpuMillisPerRequest"))
        }
        return ControlNumber.read(body, "http_rps", within: 0...1_000_000).flatMap { rps in
            ControlNumber.read(body, "cpuMillisPerRequest", default: 1, within: 0...10_000).map { Load(httpRPS: rps, cpuMillisPerRequest: $0) }
        }
    }
}

extension JobOutcome {
    /// `outcome` one of succeed, fail, hang; `afterSeconds` up to a day.
    static func parsing(_ body: JSONValue, defaultSeconds: Double) -> Swift.Result<JobOutcome, Faults.Problem> {
        for name in (body.objectValue ?? [:]).keys.sorted() where name != "outcome" && name != "afterSeconds" {
            return .failure(Faults.Problem(message: "unknown field \"\(name)\": outcome, afterSeconds"))
        }
        let text = body["outcome"] == nil ? "succeed" : body["outcome"]?.stringValue
        guard let result = text.flatMap(Result.init(rawValue:)) else {
            return .failure(Faults.Problem(message: "\"outcome\" must be succeed, fail or hang"))
        }
        return ControlNumber.read(body, "afterSeconds", default: defaultSeconds, within: 0...86_400).map { JobOutcome(result: result, afterSeconds: $0) }
    }
}

/// The requests the cluster answered, for tests that count what a client sent. Entries stay plain
/// values until they are read: a full log is 50,000 of them, and formatting costs every request.
struct RequestLog: Sendable {
    struct Entry: Sendable {
        var time: Date
        var method: String
        var path: String
        var query: [String: String]
        var status: Int
        var userAgent: String

        var json: JSONValue {
            ["time": .string(microTimestamp(time)), "method": .string(method),
             "path": .string(APIRequest(method: method, path: path, query: query).target),
             "status": .int(status), "userAgent": .string(userAgent)]
        }
    }

    var entries: [Entry] = []
    var limit = 50_000

    mutating func record(_ request: APIRequest, status: Int, now: Date) {
        entries.append(Entry(time: now, method: request.method, path: request.path, query: request.query, status: status, userAgent: request.userAgent))
        if entries.count > limit { entries.removeFirst(entries.count - limit / 2) }
    }
}

/// The control endpoints under `/mock/v1/`: how tests set load, health, job outcomes, faults and
/// the tokens and roles that reviews answer from, and read the request log.
extension MockCluster {
    mutating func handleControl(_ request: APIRequest, now: Date) -> APIResponse {
        let segments = Array(request.path.split(byte: UInt8(ascii: "/")).dropFirst(2).map(String.init))
        do {
            let body = request.body.isEmpty ? JSONValue.object([:]) : try JSONValue(parsing: request.body)
            switch (request.method, segments.first, segments.count) {
            case ("PUT", _, _) where body.objectValue == nil:
                return controlError("the body must be a JSON object")
            case ("PUT", "load", 3):
                let load = try Load.parsing(body).get()
                loads[ObjectKey(namespace: segments[1], name: segments[2])] = load
                return .json(["http_rps": .double(load.httpRPS), "cpuMillisPerRequest": .double(load.cpuMillisPerRequest)])
            case ("PUT", "pods", 4) where segments[3] == "health":
                guard let healthy = body["healthy"]?.boolValue else { return controlError("\"healthy\" must be true or false") }
                guard setPodHealth(ObjectKey(namespace: segments[1], name: segments[2]), healthy: healthy, now: now) else {
                    return controlError("pod \(segments[1])/\(segments[2]) not found", status: 404)
                }
                return .json(["healthy": .bool(healthy)])
            case ("PUT", "jobs", 3):
                let outcome = try JobOutcome.parsing(body, defaultSeconds: settings.jobSeconds).get()
                jobOutcomes[ObjectKey(namespace: segments[1], name: segments[2])] = outcome
                return .json(["outcome": .string(outcome.result.rawValue), "afterSeconds": .double(outcome.afterSeconds)])
            case ("PUT", "faults", 1):
                switch Faults.parsing(body) {
                case .success(let faults): self.faults = faults
                case .failure(let problem): return controlError(problem.message)
                }
                return .json(faults.json)
            case ("PUT", "auth", 1):
                do {
                    access = try AccessTables(parsing: body)
                } catch {
                    return controlError(error.description)
                }
                return .json(access.summary)
            case ("GET", "auth", 1):
                return .json(access.summary)
            case ("GET", "audit", 1):
                return .json(["items": .array(admissionAudit.entries)])
            case ("GET", "faults", 1):
                return .json(faults.json)
            case ("GET", "requests", 1):
                return .json(["items": .array(requestLog.entries.map(\.json))])
            case ("DELETE", "requests", 1):
                requestLog.entries.removeAll()
                return .json(["items": []])
            case ("POST", "compact", 1):
                store.compact()
                return .json(["resourceVersion": .string(String(store.resourceVersion))])
            case ("GET", "state", 1):
                return .json(["objects": .int(store.totalCount), "resourceVersion": .string(String(store.resourceVersion))])
            default:
                return controlError("no such control endpoint: \(request.method) \(request.path)", status: 404)
            }
        } catch let problem as Faults.Problem {
            return controlError(problem.message)
        } catch {
            return controlError("the body must be JSON: \(error)")
        }
    }

    private func controlError(_ message: String, status: Int = 400) -> APIResponse {
        .json(["error": .string(message)], status: status)
    }
}
