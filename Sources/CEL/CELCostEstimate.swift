/// A range of numbers as cel-go's estimates carry them: arithmetic saturates at the largest
/// UInt64 (an unbounded estimate stays unbounded).
protocol CELEstimateRange {
    var min: UInt64 { get }
    var max: UInt64 { get }
    init(min: UInt64, max: UInt64)
}

extension CELEstimateRange {
    static func fixed(_ value: UInt64) -> Self { Self(min: value, max: value) }
    static var unknown: Self { Self(min: 0, max: .max) }

    func adding(_ other: Self) -> Self {
        Self(min: CELCostMath.add(min, other.min), max: CELCostMath.add(max, other.max))
    }

    func multiplied(by other: Self) -> Self {
        Self(min: CELCostMath.multiply(min, other.min), max: CELCostMath.multiply(max, other.max))
    }

    /// The smaller minimum and the larger maximum: what either of two alternatives may be.
    func union(_ other: Self) -> Self {
        Self(min: Swift.min(min, other.min), max: Swift.max(max, other.max))
    }
}

/// A range of cost units, as cel-go's checker estimates them; fractional factors round up.
public struct CELCostEstimate: CELEstimateRange, Sendable, Equatable, CustomStringConvertible {
    public var min: UInt64
    public var max: UInt64

    public init(min: UInt64, max: UInt64) {
        self.min = min
        self.max = max
    }

    public var description: String { "[\(min), \(max)]" }
}

/// A range of sizes (a string's code points, a list's or map's elements).
struct CELSizeEstimate: CELEstimateRange, Sendable, Equatable {
    var min: UInt64
    var max: UInt64

    func cost(factor: Double) -> CELCostEstimate {
        CELCostEstimate(min: CELCostMath.scale(min, factor), max: CELCostMath.scale(max, factor))
    }

    func times(_ cost: CELCostEstimate) -> CELCostEstimate {
        CELCostEstimate(min: CELCostMath.multiply(min, cost.min), max: CELCostMath.multiply(max, cost.max))
    }
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
