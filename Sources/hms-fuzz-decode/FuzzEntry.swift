// Fuzzing entry point for the manifest decoder. hack/fuzz.sh builds this target with libFuzzer
// (-sanitize=fuzzer -DFUZZING), which brings its own main; otherwise Replay.swift is the main
// and runs the inputs named on the command line, which is how a crash input is reproduced.
import Manifests

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let result = ManifestDecoder().decode(bytes, file: "fuzz.yaml")
    // Rendering walks the source lines under each mark: exercise it too.
    for diagnostic in result.diagnostics { _ = diagnostic.description }
    return 0
}
