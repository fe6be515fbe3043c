#if !FUZZING
import Foundation

@main
struct Replay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot read")
                continue
            }
            let bytes = [UInt8](data) + [0]  // never empty, so there is always a base address
            _ = bytes.withUnsafeBufferPointer { buffer in
                buffer.baseAddress.map { fuzzOneInput($0, buffer.count - 1) }
            }
            print("\(path): ok")
        }
    }
}
#endif
