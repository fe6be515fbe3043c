import Kube
import Testing

@Suite(.tags(.unit)) struct StatusTests {
    func error(_ code: Int, _ body: String) -> APIError {
        APIError(code: code, body: Array(body.utf8), request: "GET /apis/apps/v1/namespaces/default/deployments/nope")
    }

    @Test(arguments: [
        (404, "NotFound", StatusReason.notFound),
        (409, "AlreadyExists", .alreadyExists),
        (409, "Conflict", .conflict),
        (422, "Invalid", .invalid),
        (403, "Forbidden", .forbidden),
        (401, "Unauthorized", .unauthorized),
        (429, "TooManyRequests", .tooManyRequests),
        (410, "Gone", .gone),
        (410, "Expired", .gone),
        (400, "BadRequest", .badRequest),
        (415, "UnsupportedMediaType", .unsupportedMediaType),
        (500, "InternalError", .internalError),
        (504, "Timeout", .timeout),
        (418, "Teapot", .other("Teapot")),
    ])
    func statusReasonsBecomeTypedReasons(code: Int, reason: String, expected: StatusReason) {
        let body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"the message\",\"reason\":\"\(reason)\",\"code\":\(code)}"
        let decoded = error(code, body)
        #expect(decoded.reason == expected)
        #expect(decoded.code == code)
        #expect(decoded.message == "the message")
    }

    @Test func theServersMessageIsKept() {
        let decoded = error(404, """
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","group":"apps","kind":"deployments"},"code":404}
        """)
        #expect(decoded.description == "GET /apis/apps/v1/namespaces/default/deployments/nope: 404 NotFound: deployments.apps \"nope\" not found")
        #expect(decoded.status?.details?.name == "nope")
        #expect(KubeError.api(decoded).reason == .notFound)
    }

    @Test func invalidKeepsItsCauses() {
        let decoded = error(422, """
        {"kind":"Status","apiVersion":"v1","status":"Failure","message":"Deployment.apps \\"web\\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0","reason":"Invalid","details":{"name":"web","kind":"Deployment","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"}]},"code":422}
        """)
        #expect(decoded.reason == .invalid)
        #expect(decoded.status?.details?.causes?.first?.field == "spec.replicas")
    }

    @Test func aReasonlessStatusTakesItsReasonFromTheCode() {
        #expect(error(409, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"code\":409,\"message\":\"x\"}").reason == .conflict)
    }

    @Test func aBodyThatIsNotAStatusBecomesTheMessage() {
        let decoded = error(502, "<html>\n<h1>Bad Gateway</h1>\n</html>")
        #expect(decoded.reason == .other("HTTP 502"))
        #expect(decoded.message == "<html><h1>Bad Gateway</h1></html>")
        #expect(error(503, "").message == "the server responded with status 503 and no further information")
        #expect(error(503, "").reason == .serviceUnavailable)
    }
}
