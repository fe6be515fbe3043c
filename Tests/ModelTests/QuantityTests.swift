import Foundation
import JSON
import Testing

@testable import Model

@Suite("Quantity", .tags(.unit))
struct QuantityTests {
    struct Valid: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        let value: Double
        var testDescription: String { "\(name): \(text)" }
    }

    static let valid: [Valid] = [
        Valid(name: "millicores", text: "500m", value: 0.5),
        Valid(name: "whole cores", text: "2", value: 2),
        Valid(name: "zero", text: "0", value: 0),
        Valid(name: "decimal fraction", text: "0.1", value: 0.1),
        Valid(name: "leading dot", text: ".5", value: 0.5),
        Valid(name: "trailing dot", text: "5.", value: 5),
        Valid(name: "plus sign", text: "+1", value: 1),
        Valid(name: "negative", text: "-500m", value: -0.5),
        Valid(name: "nano", text: "5n", value: 5e-9),
        Valid(name: "micro", text: "250u", value: 250e-6),
        Valid(name: "kilo", text: "1k", value: 1e3),
        Valid(name: "mega", text: "128M", value: 128e6),
        Valid(name: "giga", text: "2G", value: 2e9),
        Valid(name: "tera", text: "1T", value: 1e12),
        Valid(name: "peta", text: "1P", value: 1e15),
        Valid(name: "exa", text: "1E", value: 1e18),
        Valid(name: "kibi", text: "1Ki", value: 1024),
        Valid(name: "mebi", text: "512Mi", value: 536_870_912),
        Valid(name: "fractional gibi", text: "1.5Gi", value: 1_610_612_736),
        Valid(name: "tebi", text: "1Ti", value: 1_099_511_627_776),
        Valid(name: "pebi", text: "1Pi", value: 1_125_899_906_842_624),
        Valid(name: "exbi", text: "1Ei", value: 1_152_921_504_606_846_976),
        Valid(name: "exponent", text: "1e3", value: 1000),
        Valid(name: "upper-case exponent", text: "1E3", value: 1000),
        Valid(name: "negative exponent", text: "25e-2", value: 0.25),
        Valid(name: "signed exponent", text: "1e+2", value: 100),
        Valid(name: "Swift's small-number form", text: "1e-07", value: 1e-7),
    ]

    @Test(arguments: valid)
    func parses(_ c: Valid) throws {
        let quantity = try Quantity(manifest: c.text)
        #expect(quantity.text == c.text)
        #expect(quantity.description == c.text)
        #expect(quantity.doubleValue == c.value)
    }

    struct Invalid: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        var testDescription: String { "\(name): \(text.debugDescription)" }
    }

    static let invalid: [Invalid] = [
        Invalid(name: "words", text: "5 cores"),
        Invalid(name: "empty", text: ""),
        Invalid(name: "suffix only", text: "m"),
        Invalid(name: "sign only", text: "-"),
        Invalid(name: "dot only", text: "."),
        Invalid(name: "two dots", text: "1.2.3"),
        Invalid(name: "bytes suffix", text: "1Mb"),
        Invalid(name: "lower-case binary", text: "1mi"),
        Invalid(name: "upper-case binary i", text: "1KI"),
        Invalid(name: "lower-case kibi", text: "1ki"),
        Invalid(name: "leading space", text: " 1"),
        Invalid(name: "trailing space", text: "1 "),
        Invalid(name: "exponent without digits", text: "1e"),
        Invalid(name: "exponent sign without digits", text: "1e+"),
        Invalid(name: "fractional exponent", text: "1e1.5"),
        Invalid(name: "no mantissa", text: "e3"),
        Invalid(name: "hexadecimal", text: "0x10"),
        Invalid(name: "underscores", text: "1_000"),
        Invalid(name: "double sign", text: "--1"),
        Invalid(name: "infinity", text: "inf"),
        Invalid(name: "not a number", text: "nan"),
        Invalid(name: "Arabic-Indic digit", text: "٣"),
        Invalid(name: "suffix and exponent", text: "1ke3"),
    ]

    @Test(arguments: invalid)
    func rejects(_ c: Invalid) {
        #expect(throws: ValueError(
            "invalid quantity \(c.text.debugDescription): expected a number with an optional unit suffix, like 500m, 2 or 512Mi"
        )) { try Quantity(manifest: c.text) }
    }

    @Test func rejectsValuesBeyondDouble() {
        #expect(throws: ValueError("invalid quantity \"1e400\": the value is too large")) {
            try Quantity(manifest: "1e400")
        }
    }

    @Test func theExactErrorMessage() {
        #expect(throws: ValueError(
            #"invalid quantity "5 cores": expected a number with an optional unit suffix, like 500m, 2 or 512Mi"#
        )) { try Quantity(manifest: "5 cores") }
    }

    @Test func equalityAndHashingFollowTheValue() throws {
        let half = try Quantity(manifest: "500m")
        let alsoHalf = try Quantity(manifest: "0.5")
        #expect(half == alsoHalf)
        #expect(half.hashValue == alsoHalf.hashValue)
        #expect(try Quantity(manifest: "1Gi") == Quantity(manifest: "1073741824"))
        #expect(try Quantity(manifest: "1k") == Quantity(manifest: "1e3"))
        #expect(try Quantity(manifest: "-0") == Quantity(manifest: "0"))
        #expect(try Quantity(manifest: "-0").hashValue == Quantity(manifest: "0").hashValue)
        #expect(try Quantity(manifest: "500m") != Quantity(manifest: "501m"))
        #expect(try Set(["500m", "0.5", "1", "1000m"].map(Quantity.init(manifest:))).count == 2)
    }

    /// Exact where a Double is not: values 2^53 apart from nothing, digits past a Double's 17, and
    /// the apiserver's rules (nano rounding, the binary cap at 2^63-1) rather than arithmetic's.
    @Test(arguments: [
        ("4Ei", "4611686018427387905", -1), ("1Pi", "1125899906842624.001", -1), ("1", "1.000000000000000001", -1),
        ("8Ei", "9223372036854775808", -1), ("9223372036854775807", "9223372036854775808", -1),
        ("8Ei", "9223372036854775807", 0), ("16Ei", "8Ei", 0), ("1.0000000001", "1.000000001", 0), ("0.1n", "1n", 0),
        ("1Ei", "1152921504606846976", 0), ("1e2000000000", "1e1999999999", 1), ("-1e-2000000000", "-1n", 0),
    ])
    func comparesExactlyAsTheApiserverDoes(_ lhs: String, _ rhs: String, _ order: Int) throws {
        let (left, right) = (try Quantity(parsing: lhs), try Quantity(parsing: rhs))
        #expect(Quantity.compare(left, right) == order)
        #expect(Quantity.compare(right, left) == -order)
        #expect((left == right) == (order == 0))
        #expect((left < right) == (order < 0))
        if order == 0 { #expect(left.hashValue == right.hashValue) }
    }

    @Test(arguments: [("500m", 500), ("0.0001", 1), ("-0.0001", -1), ("1.5Gi", 1_610_612_736_000), ("2", 2000), ("1", 1000)])
    func milliValueRoundsUpAsGoDoes(_ text: String, _ milli: Int64) throws {
        #expect(try Quantity(parsing: text).milliValue == milli)
    }

    @Test func aMilliValueBeyondInt64IsNone() throws {
        #expect(try Quantity(parsing: "9223372036854775807m").milliValue == .max)
        #expect(try Quantity(parsing: "9223372036854775808m").milliValue == nil)
        #expect(try Quantity(parsing: "1e20").milliValue == nil)
    }

    /// A memory bound of 1Pi holds exactly: a thousandth of a byte more is the same Double.
    @Test func aBoundIsCheckedExactly() throws {
        #expect(FieldConstraint.memory.problem(with: "1Pi") == nil)
        let problem = FieldConstraint.memory.problem(with: "1125899906842624.001")
        #expect(problem?.hasPrefix("must be at most ") == true && problem?.hasSuffix(" bytes (1Pi), found 1125899906842624.001") == true)
    }

    // MARK: Codable

    struct Resources: Codable, Equatable {
        var cpu: Quantity
    }

    struct Decoded: CustomTestStringConvertible, Sendable {
        let name: String
        let json: String
        let text: String
        let value: Double
        var testDescription: String { name }
    }

    static let decoded: [Decoded] = [
        Decoded(name: "string", json: #"{"cpu": "500m"}"#, text: "500m", value: 0.5),
        Decoded(name: "integer", json: #"{"cpu": 2}"#, text: "2", value: 2),
        Decoded(name: "numeric string", json: #"{"cpu": "2"}"#, text: "2", value: 2),
    ]

    @Test(arguments: decoded)
    func decodesFromJSON(_ c: Decoded) throws {
        let resources = try JSONDecoder().decode(Resources.self, from: Data(c.json.utf8))
        #expect(resources.cpu.text == c.text)
        #expect(resources.cpu.doubleValue == c.value)
    }

    @Test func encodesAsTheTextWritten() throws {
        let resources = try JSONDecoder().decode(Resources.self, from: Data(#"{"cpu": 2}"#.utf8))
        let json = String(decoding: try JSONEncoder().encode(resources), as: UTF8.self)
        #expect(json == #"{"cpu":"2"}"#)
        let memory = try Quantity(manifest: "512Mi")
        #expect(String(decoding: try JSONEncoder().encode([memory]), as: UTF8.self) == #"["512Mi"]"#)
    }

    @Test(arguments: ["500m", "512Mi", "1e3", "-1", ".5"])
    func roundTripsThroughJSON(_ text: String) throws {
        let original = Resources(cpu: try Quantity(manifest: text))
        let copy = try JSONDecoder().decode(Resources.self, from: JSONEncoder().encode(original))
        #expect(copy == original)
        #expect(copy.cpu.text == text)
    }

    /// The API server's int-or-string refuses a number with a fraction; so do we, with the fix.
    @Test(arguments: [(#"{"cpu": 0.5}"#, "write 500m"), (#"{"cpu": 1e-7}"#, "quote it: \"1e-07\"")])
    func fractionIsRefusedWithAHint(_ json: String, _ hint: String) {
        do {
            _ = try JSONDecoder().decode(Resources.self, from: Data(json.utf8))
            Issue.record("decoded a number with a fraction as a quantity")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription.hasSuffix(hint), "\(context.debugDescription)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func badStringIsDataCorruptedWithTheMessage() {
        do {
            _ = try JSONDecoder().decode(Resources.self, from: Data(#"{"cpu": "5 cores"}"#.utf8))
            Issue.record("decoded a bad quantity")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription
                == #"invalid quantity "5 cores": expected a number with an optional unit suffix, like 500m, 2 or 512Mi"#)
            #expect(context.codingPath.map(\.stringValue) == ["cpu"])
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func wrongTypeIsATypeMismatch() {
        do {
            _ = try JSONDecoder().decode(Resources.self, from: Data(#"{"cpu": true}"#.utf8))
            Issue.record("decoded a boolean as a quantity")
        } catch let DecodingError.typeMismatch(type, context) {
            #expect(ObjectIdentifier(type) == ObjectIdentifier(Quantity.self))
            #expect(context.debugDescription == "expected a quantity: a number or a string like 500m, 2 or 512Mi")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
