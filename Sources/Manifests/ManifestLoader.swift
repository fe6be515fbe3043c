import Foundation
import Model

/// Reads manifests the way kubectl's `-f` does: files, directories of `.yaml`/`.yml` files
/// (recursively with `-R`), and `-` for standard input.
public struct ManifestLoader: Sendable {
    public var recursive: Bool
    public var decoder: ManifestDecoder

    public init(recursive: Bool = false, decoder: ManifestDecoder = ManifestDecoder()) {
        self.recursive = recursive
        self.decoder = decoder
    }

    /// Every resource of every path, and a diagnostic for every problem; then the checks that span
    /// documents (the same resource defined twice). `found` hears each file's diagnostics as soon
    /// as that file is read, so a command can print them while the rest is still being read.
    public func load(_ paths: [String], standardInput: () -> [UInt8] = readStandardInput,
                     found: ([Diagnostic]) -> Void = { _ in }) -> DecodeResult {
        ManifestDecoder.prepare()
        var result = DecodeResult()
        var reported = 0
        func report() {
            guard result.diagnostics.count > reported else { return }
            found(Array(result.diagnostics[reported...]))
            reported = result.diagnostics.count
        }
        defer { report() }
        for path in paths {
            defer { report() }
            if path == "-" {
                decoder.decode(standardInput(), file: "<stdin>", into: &result)
                continue
            }
            // One unreadable file or directory is one diagnostic; the rest are still read.
            do {
                for file in try files(at: path) {
                    do {
                        decoder.decode(try read(file), file: file, into: &result)
                    } catch {
                        result.diagnostics.append(Self.diagnostic(error, file: file))
                    }
                    report()
                }
            } catch {
                result.diagnostics.append(Self.diagnostic(error, file: path))
            }
        }
        result.diagnostics += duplicateDefinitions(result.definitions)
        report()
        return result
    }

    private static func diagnostic(_ error: any Error, file: String) -> Diagnostic {
        error as? Diagnostic ?? Diagnostic(file: file, mark: nil, message: "\(error)")
    }

    private func files(at path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Diagnostic(file: path, mark: nil, message: "no such file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        let entries: [String]
        if recursive {
            guard let enumerator = FileManager.default.enumerator(atPath: path) else {
                throw Diagnostic(file: path, mark: nil, message: "cannot read directory")
            }
            entries = enumerator.compactMap { $0 as? String }
        } else {
            entries = try FileManager.default.contentsOfDirectory(atPath: path)
        }
        return entries
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .sorted()
            .map { path.hasSuffix("/") ? path + $0 : "\(path)/\($0)" }
    }

    /// The file's bytes, read straight into the array the decoder reads (not into `Data` first
    /// and then copied, which doubles the memory a long stream takes and delays decoding).
    private func read(_ file: String) throws -> [UInt8] {
        guard let stream = fopen(file, "rb") else { throw Diagnostic(file: file, mark: nil, message: "cannot read file") }
        defer { fclose(stream) }
        let expected = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        var bytes = [UInt8](unsafeUninitializedCapacity: expected) { buffer, count in
            count = expected > 0 ? fread(buffer.baseAddress, 1, expected, stream) : 0
        }
        // What the size did not announce (a file that grew meanwhile, a pipe), in chunks.
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while case let count = chunk.withUnsafeMutableBytes({ fread($0.baseAddress, 1, $0.count, stream) }), count > 0 {
            bytes += chunk[..<count]
        }
        guard ferror(stream) == 0 else { throw Diagnostic(file: file, mark: nil, message: "cannot read file") }
        return bytes
    }

    /// Keyed by the identities' hashes, which the decoding threads made: this runs on one thread
    /// and touches no string but for a hash found twice. Identities whose hashes collide (rare)
    /// are looked up in full in `colliding`.
    private func duplicateDefinitions(_ definitions: [Definition]) -> [Diagnostic] {
        var first: [Int: Int] = [:]
        first.reserveCapacity(definitions.count)
        var colliding: [Definition.Identity: Int] = [:]
        var diagnostics: [Diagnostic] = []
        for index in definitions.indices {
            let digest = definitions[index].identity.digest
            guard let candidate = first[digest] else {
                first[digest] = index
                continue
            }
            let identity = definitions[index].identity
            let earlier: Int
            if definitions[candidate].identity == identity {
                earlier = candidate
            } else if let found = colliding[identity] {
                earlier = found
            } else {
                colliding[identity] = index
                continue
            }
            let definition = definitions[index], original = definitions[earlier]
            diagnostics.append(Diagnostic(
                file: definition.file, mark: definition.mark,
                message: "\(identity.kind) \"\(identity.name)\" is defined twice; first at \(original.file):\(original.mark)"))
        }
        return diagnostics
    }
}

public func readStandardInput() -> [UInt8] {
    [UInt8](FileHandle.standardInput.readDataToEndOfFile())
}
