import Testing

// The tags this target's suites carry; the README's Testing section lists them all.
extension Tag {
    /// In memory and the repository's files: no socket, no child process.
    @Tag static var unit: Self
}
