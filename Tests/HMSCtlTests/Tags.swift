import Testing

// The tags this target's suites carry; the README's Testing section lists them all.
extension Tag {
    /// In memory and the repository's files: no socket, no child process.
    @Tag static var unit: Self
    /// Runs another program and checks what it did: the built `hmsctl`, a credential plugin, html5lib.
    @Tag static var process: Self
    /// Against the mock cluster served in the test process (TestSupport's `LiveCluster`).
    @Tag static var live: Self
}
