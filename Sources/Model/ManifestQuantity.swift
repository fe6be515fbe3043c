import JSON

/// How a manifest may write a quantity: kube-apiserver's grammar (`Quantity(parsing:)`), with
/// two refusals of ours. A number must have a digit (Go reads `m`, `-`, `.` and `e3` as zero, a
/// typo the CRD's pattern refuses too), and it must fit a Double, which the cost model uses.
extension Quantity {
    public init(manifest text: String) throws(ValueError) {
        let parsed: Quantity
        do {
            parsed = try Quantity(parsing: text)
        } catch {
            throw Self.invalid(text)
        }
        guard parsed.hasDigits else { throw Self.invalid(text) }
        guard parsed.doubleValue.isFinite else {
            throw ValueError("invalid quantity \(text.debugDescription): the value is too large")
        }
        self = parsed
    }

    private static func invalid(_ text: String) -> ValueError {
        ValueError("invalid quantity \(text.debugDescription): expected a number with an optional unit suffix, like 500m, 2 or 512Mi")
    }

    /// What a decoder says of a value that is neither a number nor a string.
    public static let typeMismatch = "expected a quantity: a number or a string like 500m, 2 or 512Mi"

    /// A number with a fraction (`cpu: 0.5`) where a quantity belongs. The API server's
    /// int-or-string refuses it, so we do too, and say how to write it.
    public static func fractionMessage(_ number: Double, written text: String) -> String {
        let milli = (number * 1000).rounded()
        let hint = number.isFinite && abs(milli) < 1e15 && milli / 1000 == number
            ? "write \(Int(milli))m" : "quote it: \"\(text)\""
        return "expected a quantity as an integer or a string: \(text) is a number with a fraction, which the Kubernetes API server refuses; \(hint)"
    }
}

// Here rather than in the JSON module, which has no business knowing how manifests may write one.
extension Quantity: Codable {
    /// An integer (`cpu: 2`) or a string (`cpu: 500m`), as the API server's int-or-string reads
    /// it; a number with a fraction (`cpu: 0.5`) is refused with a hint to write `500m`. Strict
    /// decoders (JSONDecoder, ours) refuse the wrong type, so the order of the tries only says
    /// which is tried first: strings, the most common, then Int before Double.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let string = try? container.decode(String.self) {
            text = string
        } else if let int = try? container.decode(Int.self) {
            text = String(int)
        } else if let double = try? container.decode(Double.self) {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.fractionMessage(double, written: String(double)))
        } else {
            throw DecodingError.typeMismatch(
                Quantity.self, DecodingError.Context(codingPath: container.codingPath, debugDescription: Self.typeMismatch))
        }
        do {
            self = try Quantity(manifest: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    /// Always a string, the text as written, as Kubernetes writes quantities.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
