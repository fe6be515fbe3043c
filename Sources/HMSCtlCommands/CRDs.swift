import ArgumentParser
import Foundation
import Manifests
import Model

/// `hmsctl crds`: print (or write) the CustomResourceDefinitions, generated from the types.
struct CRDs: TerminalCommand {
    static let configuration = CommandConfiguration(
        commandName: "crds",
        abstract: "Print the CustomResourceDefinitions of every kind, generated from the types."
    )

    @Option(help: ArgumentHelp("Write one file per kind into this directory instead.", valueName: "dir"))
    var outputDir: String?

    func run(on terminal: Terminal, clock: WallClock) throws {
        let files = try CustomResourceDefinitions.files()
        guard let outputDir else {
            terminal.print(files.map(\.yaml).joined(separator: "---\n"), terminator: "")
            return
        }
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        for file in files {
            try file.yaml.write(toFile: "\(outputDir)/\(file.name)", atomically: true, encoding: .utf8)
        }
    }
}
