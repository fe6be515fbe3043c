import ArgumentParser
import Manifests
import Model

/// `hmsctl validate -f PATH`: decode and validate manifests; no cluster needed.
struct Validate: TerminalCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Decode and validate manifests, reporting every error with its file, line and column.",
        discussion: """
            Reads ops.hms.gov/v1alpha1 resources from files, directories (every .yaml and .yml \
            in them; with -R, below them too) or standard input (-f -). Exits 0 when every \
            resource is valid, 1 otherwise.
            """
    )

    @OptionGroup var files: FileOptions

    /// Errors printed in full; the rest are counted.
    static let printedErrors = 100

    func run(on terminal: Terminal, clock: WallClock) throws {
        var printed = 0
        // Printed as each file is read; past the first `Self.printedErrors` only counted. Only the
        // definitions are kept: a resource is checked and dropped.
        let loader = ManifestLoader(recursive: files.recursive, decoder: ManifestDecoder(keepsResources: false))
        let result = loader.load(files.paths, standardInput: terminal.input, found: { diagnostics in
            for diagnostic in diagnostics.prefix(max(0, Self.printedErrors - printed)) {
                terminal.printError(diagnostic.description)
            }
            printed = min(Self.printedErrors, printed + diagnostics.count)
        })
        let valid = result.validCount, errors = result.diagnostics.count
        if errors == 0 {
            terminal.print("\(valid) \(plural(valid, "resource")) valid.")
        } else {
            if errors > printed {
                terminal.printError("\(errors - printed) more \(plural(errors - printed, "error")) not shown.")
            }
            terminal.printError("\(errors) \(plural(errors, "error")); \(valid) valid \(plural(valid, "resource")).")
            throw ExitCode(1)
        }
    }
}

/// `-f PATH` (repeatable) and `-R`, as kubectl takes them.
struct FileOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("filename")], help: ArgumentHelp("A manifest file, a directory of them, or - for standard input.", valueName: "path"))
    var paths: [String] = []

    @Flag(name: [.customShort("R"), .long], help: "Read directories recursively.")
    var recursive = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one -f PATH.") }
    }
}
