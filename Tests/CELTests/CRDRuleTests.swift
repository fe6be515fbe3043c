import CEL
import Foundation
import Testing
import YAML

/// Every `x-kubernetes-validations` rule of our CRDs is inside the subset: the mock cluster will
/// accept the CRDs that a real cluster accepts.
@Suite struct CRDRuleTests {
    struct Rule: CustomTestStringConvertible, Sendable {
        var file: String
        var line: Int
        var text: String
        var testDescription: String { "\(file):\(line): \(text)" }
    }

    static let rules: [Rule] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = root.appendingPathComponent("manifests/crds")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.sorted().flatMap { file -> [Rule] in
            guard let data = try? Data(contentsOf: directory.appendingPathComponent(file)),
                let documents = try? YAMLParser().parse([UInt8](data))
            else { return [] }
            return documents.flatMap { rules(in: $0, file: file) }
        }
    }()

    static func rules(in node: Node, file: String) -> [Rule] {
        switch node.content {
        case .scalar: return []
        case .sequence(let items): return items.flatMap { rules(in: $0, file: file) }
        case .mapping(let pairs):
            return pairs.flatMap { pair -> [Rule] in
                guard case .scalar(let key) = pair.key.content, key.string == "rule", case .scalar(let rule) = pair.value.content else {
                    return rules(in: pair.value, file: file)
                }
                return [Rule(file: file, line: pair.value.mark.line, text: rule.string)]
            }
        }
    }

    @Test func theCRDsHaveRules() {
        #expect(Self.rules.count >= 14)
    }

    @Test(arguments: rules)
    func ruleCompiles(_ rule: Rule) {
        #expect(throws: Never.self) { _ = try CELEnvironment.crdValidation.compile(rule.text) }
    }
}
