import Testing

// The tags this target's suites carry; the README's Testing section lists them all.
extension Tag {
    /// Serves or connects on loopback: a server in the test process, or helper servers it starts.
    @Tag static var live: Self
    /// Input made to break things: markup, huge or malformed values, names that are not names.
    @Tag static var hostile: Self
}
