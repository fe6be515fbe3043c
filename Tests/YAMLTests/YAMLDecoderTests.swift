import JSON
import Testing
import YAML

/// The one typed reader of YAML: Codable types, every problem at its line, column and field.
@Suite(.tags(.unit)) struct YAMLDecoderTests {
    struct Service: Codable, Equatable {
        struct Port: Codable, Equatable {
            var name: String
            var number: Int
        }
        enum Mode: String, Codable, Equatable { case on, off }

        var image: String
        var replicas: Int?
        var ratio: Double?
        var paused: Bool?
        var ports: [Port]?
        var labels: [String: String]?
        var mode: Mode?
        var payload: JSONValue?
    }

    /// Field names and stand-ins as a model would give them, and `Mode` as a closed set.
    struct Schema: YAMLSchema {
        func fieldNames(of type: Any.Type) -> [String] {
            switch type {
            case is Service.Type: ["image", "replicas", "ratio", "paused", "ports", "labels", "mode", "payload"]
            case is Service.Port.Type: ["name", "number"]
            default: []
            }
        }

        func unknownField(_ name: String, of type: Any.Type) -> String {
            "unknown field \"\(name)\"; known fields: \(fieldNames(of: type).joined(separator: ", "))"
        }

        func placeholder<T: Decodable>(of type: T.Type) -> T? {
            if type == String.self { return "" as? T }
            return type == Int.self ? 0 as? T : nil
        }

        func isClosedSet(_ type: Any.Type) -> Bool { type is Service.Mode.Type }
    }

    func document(_ text: String) throws -> YAMLDocument {
        try #require(try YAMLParser().documents(Array(text.utf8)).first)
    }

    func problems(_ text: String, _ decoder: YAMLDecoder = YAMLDecoder(schema: Schema())) throws -> [String] {
        do {
            _ = try decoder.decode(Service.self, from: try document(text))
            return []
        } catch let error as YAMLDecodingErrors {
            return error.errors.map(\.description)
        }
    }

    @Test func readsEveryKindOfField() throws {
        let text = """
            image: web:1
            replicas: 3
            ratio: 1
            paused: false
            ports: [{name: http, number: 80}]
            labels: {app: web, "8080": port}
            mode: off
            payload: {a: [1, 2.5, null, x]}
            """
        let service = try YAMLDecoder(schema: Schema()).decode(Service.self, from: try document(text))
        #expect(service == Service(image: "web:1", replicas: 3, ratio: 1, paused: false, ports: [.init(name: "http", number: 80)],
                                   labels: ["app": "web", "8080": "port"], mode: .off, payload: ["a": [1, 2.5, nil, "x"]]))
    }

    @Test func everyProblemIsReportedAtItsNodeInDocumentOrder() throws {
        let text = """
            replicas: "3"
            ports:
            - name: http
              numbr: 80
            labels: {app: yes}
            extra: 1
            """
        #expect(try problems(text) == [
            "1:1: missing required field \"image\"",
            "1:11: replicas: expected an integer, found \"3\"; remove the quotes: 3",
            "3:3: ports[0]: missing required field \"number\"",
            "4:3: ports[0].numbr: unknown field \"numbr\"; known fields: name, number",
            "5:15: labels.app: \"yes\" is a boolean to YAML 1.1 tools such as kubectl; quote it to make it a string: \"yes\"",
            "6:1: extra: unknown field \"extra\"; known fields: image, replicas, ratio, paused, ports, labels, mode, payload",
        ])
    }

    @Test func blockCollectionsAreBlamedAtTheirKey() throws {
        #expect(try problems("image: x\nports:\n  name: http\n") == ["2:1: ports: expected a list, found a mapping"])
        #expect(try problems("image: x\nports: {name: http}\n") == ["2:8: ports: expected a list, found a mapping"])
    }

    @Test func leniencyIgnoresUnknownFieldsReadsNullAsEmptyAndStopsAtTheFirstProblem() throws {
        let lenient = YAMLDecoder(strictness: .lenient)
        let service = try lenient.decode(Service.self, from: try document("image: ~\nextra: 1\nmode: on\n"))
        #expect(service.image == "" && service.mode == .on)
        #expect(try problems("image: [x]\nreplicas: three\n", lenient) == ["1:8: image: expected a string, found a list"])
    }

    struct Window: Decodable {
        var start: Int

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: CodingKeys.self)
            start = try fields.decode(Int.self, forKey: .start)
            guard start >= 0 else {
                throw DecodingError.dataCorruptedError(forKey: .start, in: fields, debugDescription: "must be 0 or more")
            }
        }

        enum CodingKeys: CodingKey { case start }
    }

    @Test func aTypesOwnErrorIsPlacedAtTheNodeItNames() throws {
        let text = "windows:\n- start: 1\n- start: -5\n"
        struct Windows: Decodable { var windows: [Window] }
        let windows = try document(text)
        do throws(YAMLDecodingErrors) {
            _ = try YAMLDecoder().decode(Windows.self, from: windows)
            Issue.record("decoded a negative start")
        } catch {
            #expect(error.errors.map(\.description) == ["3:10: windows[1].start: must be 0 or more"])
        }
    }

    @Test func aDocumentReadsAsTheJSONItMeans() throws {
        #expect(try document("a: [1, '2', yes, .inf]\n1: x\n").jsonValue == ["a": [1, "2", "yes", .double(.infinity)], "1": "x"])
    }

    /// Lists are read item by item by the decoder (not by Array's own `init(from:)`): every
    /// item's problems, at their index, nested lists, lists at the root, null in lenient reading.
    @Test func listsReportEveryItemsProblemsAtTheirIndex() throws {
        let text = """
            image: x
            ports:
            - {name: http, number: "80"}
            - name: metrics
            - {name: grpc, number: 9090, extra: 1}
            - [a, b]
            """
        let found = try problems(text)
        #expect(found == [
            "3:24: ports[0].number: expected an integer, found \"80\"; remove the quotes: 80",
            "4:3: ports[1]: missing required field \"number\"",
            "5:30: ports[2].extra: unknown field \"extra\"; known fields: name, number",
            "6:3: ports[3]: expected a mapping, found a list",
        ])
        struct Grid: Decodable, Equatable { var rows: [[Int]] }
        let grid = try YAMLDecoder().decode(Grid.self, from: try document("rows: [[1, 2], [], [3]]\n"))
        #expect(grid.rows == [[1, 2], [], [3]])
        let badGrid = try document("rows:\n- [1, two]\n- 3\n")
        do throws(YAMLDecodingErrors) {
            _ = try YAMLDecoder().decode(Grid.self, from: badGrid)
            Issue.record("decoded a grid with a word in it")
        } catch {
            #expect(error.errors.map(\.description) == [
                "2:7: rows[0][1]: expected an integer, found \"two\"",  // an item has no stand-in: the first problem ends the list
            ])
        }
        #expect(try YAMLDecoder().decode([String].self, from: try document("- a\n- 'b'\n")) == ["a", "b"])
        #expect(try YAMLDecoder(strictness: .lenient).decode([Int].self, from: try document("~\n")) == [])
        let modes = try YAMLDecoder(schema: Schema()).decode([Service.Mode].self, from: try document("[on, off]\n"))
        #expect(modes == [.on, .off])
    }
}
