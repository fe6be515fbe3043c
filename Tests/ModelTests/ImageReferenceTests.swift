import Testing

@testable import Model

@Suite("ImageReference", .tags(.unit))
struct ImageReferenceTests {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    /// A reference and what it parses to (domain, path, tag, digest), nil when it is not one.
    struct Case: CustomTestStringConvertible, Sendable {
        let text: String
        let parsed: [String?]?
        init(_ text: String, _ parsed: [String?]?) { (self.text, self.parsed) = (text, parsed) }
        var testDescription: String { text.isEmpty ? "(empty)" : text }
    }

    static let cases: [Case] = [
        Case("registry.gov/x:1", ["registry.gov", "x", "1", nil]),
        Case("registry.gov.attacker.io/x:1", ["registry.gov.attacker.io", "x", "1", nil]),
        Case("registry.gov:5000/x", ["registry.gov:5000", "x", nil, nil]),
        Case("registry.gov/team/x@\(digest)", ["registry.gov", "team/x", nil, digest]),
        Case("registry.gov/team/x:2.1@\(digest)", ["registry.gov", "team/x", "2.1", digest]),
        Case("REGISTRY.gov/x", ["registry.gov", "x", nil, nil]),
        Case("nginx", ["docker.io", "library/nginx", nil, nil]),
        Case("nginx:1.27", ["docker.io", "library/nginx", "1.27", nil]),
        Case("team/app", ["docker.io", "team/app", nil, nil]),
        Case("index.docker.io/nginx", ["docker.io", "library/nginx", nil, nil]),
        Case("localhost/app", ["localhost", "app", nil, nil]),
        Case("localhost:5000/a__b/c-d--e.f:v_1", ["localhost:5000", "a__b/c-d--e.f", "v_1", nil]),
        Case("[::1]:5000/x", ["[::1]:5000", "x", nil, nil]),
        Case("", nil),
        Case("Nginx", nil),
        Case("registry.gov/Team/x", nil),
        Case("registry.gov/x:", nil),
        Case("registry.gov/x@sha256:abc", nil),
        Case("registry.gov//x", nil),
        Case("registry.gov/x/", nil),
        Case("registry.gov/-x", nil),
        Case("registry.gov/x___y", nil),
        Case("-registry.gov/x", nil),
        Case("registry.gov:port/x", nil),
        Case("registry.gov/x y", nil),
        Case("registry.gov/x:" + String(repeating: "t", count: 129), nil),
        Case("registry.gov/" + String(repeating: "a", count: 300), nil),
    ]

    @Test(arguments: cases)
    func parses(_ example: Case) {
        let reference = ImageReference(parsing: example.text)
        #expect(reference.map { [$0.domain, $0.path, $0.tag, $0.digest] } == example.parsed)
        #expect((ImageReference.problem(example.text) == nil) == (example.parsed != nil))
    }

    @Test func uppercasePathSaysLowercase() {
        #expect(ImageReference.problem("registry.gov/Team/x") == "the repository name must be lowercase")
        #expect(ImageReference.problem("") == "an image reference cannot be empty")
    }

    @Test(arguments: [
        ("registry.gov", "registry.gov/x:1", true),
        ("registry.gov/", "registry.gov/team/x@\(digest)", true),
        ("registry.gov", "registry.gov.attacker.io/x:1", false),
        ("registry.gov/", "registry.gov.attacker.io/x:1", false),
        ("registry.gov", "registry.gov:5000/x", false),
        ("registry.gov:5000", "registry.gov:5000/x", true),
        ("registry.gov/team", "registry.gov/team/x:1", true),
        ("registry.gov/team", "registry.gov/teamx/y:1", false),
        ("registry.gov/team", "registry.gov/x:1", false),
        ("Registry.Gov", "registry.gov/x", true),
        ("docker.io", "nginx", true),
        ("registry.gov", "registry.gov/Team/x", false),
        ("registry.gov", "", false),
    ])
    func allowlist(_ entry: String, _ image: String, _ allowed: Bool) {
        let matched = ImageReference(parsing: image).map { RegistryPrefix(parsing: entry)?.contains($0) ?? false } ?? false
        #expect(matched == allowed)
    }
}
