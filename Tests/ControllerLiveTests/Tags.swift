import Testing

// The tags this target's suites carry; the README's Testing section lists them all.
extension Tag {
    /// Serves or connects on loopback: a server in the test process, or helper servers it starts.
    @Tag static var live: Self
}
