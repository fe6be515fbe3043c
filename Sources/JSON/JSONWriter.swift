extension JSONValue {
    /// Compact JSON with members in sorted order, so equal values always give equal bytes.
    public var jsonBytes: [UInt8] {
        var sink = ByteSink(capacity: 512)
        write(to: &sink)
        return sink.bytes()
    }

    public var jsonText: String { String(decoding: jsonBytes, as: UTF8.self) }

    public func write(to output: inout [UInt8]) {
        var sink = ByteSink(capacity: 512)
        write(to: &sink)
        sink.append(to: &output)
    }

    /// An object whose members are written in the order given (a journal line, say), not sorted.
    public static func writeObject(_ members: some Sequence<(name: String, value: JSONValue)>, to output: inout [UInt8]) {
        var sink = ByteSink(capacity: 512)
        sink.append(UInt8(ascii: "{"))
        var first = true
        for (name, value) in members {
            if !first { sink.append(UInt8(ascii: ",")) }
            first = false
            sink.appendMember(name, value)
        }
        sink.append(UInt8(ascii: "}"))
        sink.append(to: &output)
    }

    public static func writeString(_ text: String, to output: inout [UInt8]) {
        var sink = ByteSink(capacity: text.utf8.count + 2)
        sink.appendString(text)
        sink.append(to: &output)
    }

    fileprivate func write(to sink: inout ByteSink) {
        switch self {
        case .null: sink.append(ascii: "null")
        case .bool(let flag): sink.append(ascii: flag ? "true" : "false")
        case .int(let number): sink.appendInteger(number)
        case .double(let number): Self.writeNumber(number, to: &sink)
        case .string(let text): sink.appendString(text)
        case .array(let items):
            sink.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { sink.append(UInt8(ascii: ",")) }
                item.write(to: &sink)
            }
            sink.append(UInt8(ascii: "]"))
        case .object(let members) where members.count <= 1:
            sink.append(UInt8(ascii: "{"))
            if let (name, value) = members.first { sink.appendMember(name, value) }
            sink.append(UInt8(ascii: "}"))
        case .object(let members):
            sink.append(UInt8(ascii: "{"))
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
                    if position > 0 { sink.append(UInt8(ascii: ",")) }
                    sink.appendMember(member.name, members.values[member.index])
                }
                order.deinitialize()
            }
            sink.append(UInt8(ascii: "}"))
        }
    }

    private static func writeNumber(_ number: Double, to sink: inout ByteSink) {
        guard number.isFinite else {
            sink.append(ascii: "null")  // JSON has no NaN or infinity
            return
        }
        if number.rounded() == number, abs(number) < 1e15 {
            sink.appendInteger(Int(number))
        } else {
            sink.appendString(unquoted: number.description)
        }
    }
}

/// Where the writer puts bytes: storage of its own that grows by doubling, so that each piece is
/// one capacity check and a copy. Appending to an `Array` byte by byte checked its uniqueness and
/// capacity every time, which was most of the writer's work.
private struct ByteSink: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    consuming func bytes() -> [UInt8] {
        Array(UnsafeBufferPointer(start: start, count: count))
    }

    func append(to output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(start: start, count: count))
    }

    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let grown = max(capacity * 2, count + extra)
        let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        storage.update(from: start, count: count)
        start.deallocate()
        start = storage
        capacity = grown
    }

    mutating func append(_ byte: UInt8) {
        reserve(1)
        start[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (start + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    mutating func append(ascii literal: StaticString) {
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func appendMember(_ name: String, _ value: JSONValue) {
        appendString(name)
        append(UInt8(ascii: ":"))
        value.write(to: &self)
    }

    mutating func appendString(unquoted text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    mutating func appendString(_ text: String) {
        var text = text
        text.withUTF8 { appendString(utf8: $0) }
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// A JSON string. Most strings (names, labels, images) need no escape: they are copied whole
    /// and checked in the same pass.
    private mutating func appendString(utf8 text: UnsafeBufferPointer<UInt8>) {
        reserve(text.count + 2)
        start[count] = UInt8(ascii: "\"")
        let destination = start + count + 1
        var plain = true
        for index in 0..<text.count {
            let byte = text[index]
            destination[index] = byte
            plain = plain && byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
        }
        if plain {
            destination[text.count] = UInt8(ascii: "\"")
            count += text.count + 2
            return
        }
        count += 1
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): append(ascii: "\\\"")
            case UInt8(ascii: "\\"): append(ascii: "\\\\")
            case 0x0A: append(ascii: "\\n")
            case 0x0D: append(ascii: "\\r")
            case 0x09: append(ascii: "\\t")
            case 0..<0x20:
                append(ascii: "\\u00")
                append(Self.hexDigits.utf8Start[Int(byte >> 4)])
                append(Self.hexDigits.utf8Start[Int(byte & 0xF)])
            default: append(byte)
            }
        }
        append(UInt8(ascii: "\""))
    }

    /// Digits written straight into the output, without a `String` in between.
    mutating func appendInteger(_ number: Int) {
        reserve(21)  // a sign and up to 20 digits
        if number < 0 {
            start[count] = UInt8(ascii: "-")
            count += 1
        }
        var magnitude = number.magnitude
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        var position = count + digits
        count = position
        repeat {
            position -= 1
            start[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }
}
