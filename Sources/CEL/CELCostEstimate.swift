/// A range of cost units, as cel-go's checker estimates them: arithmetic saturates at the
/// largest UInt64 (an unbounded estimate stays unbounded) and fractional factors round up.
public struct CELCostEstimate: Sendable, Equatable, CustomStringConvertible {
    public var min: UInt64
    public var max: UInt64

    public init(min: UInt64, max: UInt64) {
        self.min = min
        self.max = max
    }

    public static func fixed(_ cost: UInt64) -> CELCostEstimate { CELCostEstimate(min: cost, max: cost) }
    static let unknown = CELCostEstimate(min: 0, max: .max)

    func adding(_ other: CELCostEstimate) -> CELCostEstimate {
        CELCostEstimate(min: CELCostMath.add(min, other.min), max: CELCostMath.add(max, other.max))
    }

    func multiplied(by other: CELCostEstimate) -> CELCostEstimate {
        CELCostEstimate(min: CELCostMath.multiply(min, other.min), max: CELCostMath.multiply(max, other.max))
    }

    func scaled(by factor: Double) -> CELCostEstimate {
        CELCostEstimate(min: CELCostMath.scale(min, factor), max: CELCostMath.scale(max, factor))
    }

    /// The smaller minimum and the larger maximum: what either of two alternatives may cost.
    func union(_ other: CELCostEstimate) -> CELCostEstimate {
        CELCostEstimate(min: Swift.min(min, other.min), max: Swift.max(max, other.max))
    }

    public var description: String { "[\(min), \(max)]" }
}

/// A range of sizes (a string's code points, a list's or map's elements).
struct CELSizeEstimate: Sendable, Equatable {
    var min: UInt64
    var max: UInt64

    static func fixed(_ size: UInt64) -> CELSizeEstimate { CELSizeEstimate(min: size, max: size) }
    static let unknown = CELSizeEstimate(min: 0, max: .max)

    func adding(_ other: CELSizeEstimate) -> CELSizeEstimate {
        CELSizeEstimate(min: CELCostMath.add(min, other.min), max: CELCostMath.add(max, other.max))
    }

    func multiplied(by other: CELSizeEstimate) -> CELSizeEstimate {
        CELSizeEstimate(min: CELCostMath.multiply(min, other.min), max: CELCostMath.multiply(max, other.max))
    }

    func union(_ other: CELSizeEstimate) -> CELSizeEstimate {
        CELSizeEstimate(min: Swift.min(min, other.min), max: Swift.max(max, other.max))
    }

    func cost(factor: Double) -> CELCostEstimate {
        CELCostEstimate(min: CELCostMath.scale(min, factor), max: CELCostMath.scale(max, factor))
    }

    func times(_ cost: CELCostEstimate) -> CELCostEstimate {
        CELCostEstimate(min: CELCostMath.multiply(min, cost.min), max: CELCostMath.multiply(max, cost.max))
    }

    var asCost: CELCostEstimate { CELCostEstimate(min: min, max: max) }
}

/// The factors cel-go's cost model uses (`common/cost.go`).
enum CELCostMath {
    static let stringTraversalFactor = 0.1
    static let regexStringLengthFactor = 0.25
    static let listCreateBaseCost: UInt64 = 10
    static let mapCreateBaseCost: UInt64 = 30
    static let selectAndIdentCost: UInt64 = 1

    static func add(_ x: UInt64, _ y: UInt64) -> UInt64 {
        let (sum, overflow) = x.addingReportingOverflow(y)
        return overflow ? .max : sum
    }

    static func multiply(_ x: UInt64, _ y: UInt64) -> UInt64 {
        let (product, overflow) = x.multipliedReportingOverflow(by: y)
        return overflow ? .max : product
    }

    /// `ceil(x * factor)`, saturating, computed in doubles as cel-go computes it.
    static func scale(_ x: UInt64, _ factor: Double) -> UInt64 {
        let value = Double(x)
        if value > 0, factor > 0, value > Double(UInt64.max) / factor { return .max }
        let product = (value * factor).rounded(.up)
        if product >= 18_446_744_073_709_551_616.0 { return .max }
        return UInt64(product)
    }
}
