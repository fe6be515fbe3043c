import Testing
import YAML

@Suite(.tags(.unit)) struct EmitterTests {
    @Test func emitsBlockStyleAsKubectlPrints() throws {
        let tree = Node(.mapping([
            .init(key: .plain("kind"), value: .string("ServiceSpec")),
            .init(key: .plain("list"), value: Node(.sequence([.plain("1"), .string("two")]))),
            .init(key: .plain("empty"), value: Node(.mapping([]))),
        ]))
        let text = try YAMLEmitter().emit([tree, tree])
        #expect(text == """
            kind: ServiceSpec
            list:
            - 1
            - two
            empty: {}
            ---
            kind: ServiceSpec
            list:
            - 1
            - two
            empty: {}

            """)
    }

    @Test(arguments: ["10", "true", "yes", "null", "", "a: b", "- x", "#c", "line\nbreak", "ünïcödé", " padded "])
    func stringsRoundTripAsStrings(_ value: String) throws {
        let tree = Node(.mapping([.init(key: .plain("v"), value: .string(value))]))
        let text = try YAMLEmitter().emit([tree])
        let back = try #require(try YAMLParser().parse(text).first)
        #expect(back["v"]?.resolved == .string(value), "emitted as: \(text)")
        #expect(back["v"]?.scalar?.isYAML11Boolean == false)
    }

    @Test func parseEmitParseIsStable() throws {
        let source = """
            apiVersion: ops.hms.gov/v1alpha1
            kind: Directive
            spec:
              jobs:
              - id: power-tx
                payload: {region: TX, megawatts: 400}
              schedule: "05:00"
              note: |
                two
                lines

            """
        let first = try YAMLParser().parse(source)
        let emitted = try YAMLEmitter().emit(first)
        #expect(try YAMLParser().parse(emitted) == first)
    }
}
