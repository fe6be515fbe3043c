/// A number written with at most three decimals and no trailing zeros (`1.667`, `2`, `0.5`), for
/// reasons people read. Plain Swift, so that the planner needs no Foundation formatting.
struct Decimal3: CustomStringConvertible {
    let value: Double

    init(_ value: Double) { self.value = value }

    var description: String {
        guard value.isFinite else { return value > 0 ? "∞" : value < 0 ? "-∞" : "NaN" }
        let thousandths = (value * 1000).rounded()
        guard abs(thousandths) < 1e15 else { return String(value) }
        let scaled = Int64(thousandths)
        let sign = scaled < 0 ? "-" : ""
        let magnitude = scaled.magnitude
        let whole = magnitude / 1000
        var fraction = String(magnitude % 1000)
        while fraction.count < 3 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}

/// A milli-value read back in the metric's units: 20000 → `20`, 1500 → `1.5`.
struct MilliUnits: CustomStringConvertible {
    let milli: Int64

    init(_ milli: Int64) { self.milli = milli }

    var description: String {
        let sign = milli < 0 ? "-" : ""
        let magnitude = milli.magnitude
        var fraction = String(magnitude % 1000)
        while fraction.count < 3 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(sign)\(magnitude / 1000)" : "\(sign)\(magnitude / 1000).\(fraction)"
    }
}

enum ReplicaArithmetic {
    /// `int32(math.Ceil(x))` as the HPA writes it, saturated at the int32 range (where upstream
    /// guards against overflow it caps at MaxInt32) instead of trapping.
    static func ceilToReplicas(_ x: Double) -> Int {
        let rounded = x.rounded(.up)
        return saturatedReplicas(rounded)
    }

    /// `int32(x)` for a non-integral x: Go truncates toward zero.
    static func truncateToReplicas(_ x: Double) -> Int {
        saturatedReplicas(x.rounded(.towardZero))
    }

    private static func saturatedReplicas(_ x: Double) -> Int {
        if x.isNaN { return 0 }
        if x >= Double(Int32.max) { return Int(Int32.max) }
        if x <= Double(Int32.min) { return Int(Int32.min) }
        return Int(x)
    }

    /// a + b, pinned at the Int64 range (upstream caps summed metrics at MaxInt64).
    static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if !overflow { return sum }
        return b > 0 ? .max : .min
    }

    static func saturatingMultiply(_ a: Int64, _ b: Int64) -> Int64 {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        if !overflow { return product }
        return (a < 0) != (b < 0) ? .min : .max
    }
}

/// Kubernetes milli-values from numbers people write.
public enum MilliValue {
    /// A value in the metric's units (`20` requests per second, `1.5` cores) as a milli-value.
    /// `Quantity.MilliValue()` rounds up; a product that misses an integer only by binary
    /// floating-point noise (0.1 × 1000) is taken as that integer, so 0.1 gives 100, not 101.
    public static func of(units value: Double) -> Int64 {
        roundingUp(milli: value * 1000)
    }

    /// A value already in milli-units (millicores) that may carry a fraction: rounded up, noise
    /// aside.
    public static func roundingUp(milli scaled: Double) -> Int64 {
        guard scaled.isFinite else { return scaled > 0 ? .max : .min }
        let nearest = scaled.rounded()
        let noise = max(1e-9, abs(scaled) * 1e-12)
        let result = abs(scaled - nearest) <= noise ? nearest : scaled.rounded(.up)
        if result >= 9.2e18 { return .max }
        if result <= -9.2e18 { return .min }
        return Int64(result)
    }
}
