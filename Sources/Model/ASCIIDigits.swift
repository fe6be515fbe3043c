extension Character {
    /// 0-9 only: `isWholeNumber` alone also accepts other scripts' digits. (Not `asciiValue`
    /// alone either: "\r\n" has the ASCII value of "\n".)
    var isDigit0to9: Bool { isASCII && asciiValue.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
}
