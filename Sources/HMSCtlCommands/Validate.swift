import ArgumentParser
import Manifests

/// `hmsctl validate -f PATH`: decode and validate manifests; no cluster needed.
struct Validate: ParsableCommand {
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

    func run() throws {
        let result = ManifestLoader(recursive: files.recursive).load(files.paths)
        for diagnostic in result.diagnostics {
            printError(diagnostic.description)
        }
        let valid = result.manifests.count, errors = result.diagnostics.count
        if errors == 0 {
            print("\(valid) \(plural(valid, "resource")) valid.")
        } else {
            printError("\(errors) \(plural(errors, "error")); \(valid) valid \(plural(valid, "resource")).")
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
