extension JSONValue {
    /// Compact JSON with members in sorted order, so equal values always give equal bytes.
    public var jsonBytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(to: &output)
        return output
    }

    public var jsonText: String { String(decoding: jsonBytes, as: UTF8.self) }

    public func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): Self.writeInteger(number, to: &output)
        case .double(let number): Self.writeNumber(number, to: &output)
        case .string(let text): Self.writeString(text, to: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                item.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            // Sorted by name in a buffer on the stack, with each member's position: no array of
            // members is copied, and comparing touches only the names.
            withUnsafeTemporaryAllocation(of: (name: String, index: [String: JSONValue].Index).self, capacity: members.count) { order in
                var order = order
                var filled = 0
                for index in members.indices {
                    order.initializeElement(at: filled, to: (members.keys[index], index))
                    filled += 1
                }
                order.sort { $0.name < $1.name }
                for (position, member) in order.enumerated() {
                    if position > 0 { output.append(UInt8(ascii: ",")) }
                    Self.writeString(member.name, to: &output)
                    output.append(UInt8(ascii: ":"))
                    members.values[member.index].write(to: &output)
                }
                order.deinitialize()
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// An object whose members are written in the order given (a journal line, say), not sorted.
    public static func writeObject(_ members: some Sequence<(name: String, value: JSONValue)>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        var first = true
        for (name, value) in members {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            writeString(name, to: &output)
            output.append(UInt8(ascii: ":"))
            value.write(to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Digits written straight into the output, without a `String` in between.
    private static func writeInteger(_ number: Int, to output: inout [UInt8]) {
        if number < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        guard magnitude >= 10 else {
            output.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            while magnitude > 0 {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    private static func writeNumber(_ number: Double, to output: inout [UInt8]) {
        guard number.isFinite else {
            output.append(contentsOf: "null".utf8)  // JSON has no NaN or infinity
            return
        }
        if number.rounded() == number, abs(number) < 1e15 {
            output.append(contentsOf: String(Int(number)).utf8)
        } else {
            output.append(contentsOf: number.description.utf8)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    public static func writeString(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { writeString(utf8: $0, to: &output) }
    }

    private static func writeString(utf8 text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Most strings (names, labels, images) need no escape: copied whole.
        if text.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            output.append(contentsOf: text)
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                output.append(contentsOf: "\\u00".utf8)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
