import Foundation

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// "resource" or "resources".
func plural(_ count: Int, _ word: String) -> String {
    count == 1 ? word : word + "s"
}
