import JSON

/// Lists decoded item by item by the decoder itself, not by `Array`'s own `init(from:)`: that is
/// unspecialized code of the standard library, which reaches each item through an existential
/// container and looks up the array's metadata for every item it appends (a tenth of decoding a
/// manifest went there). What comes out, problems included, is the same.
protocol DecodableList {
    static func decodeItems(_ state: DecodingState, frame: Int) throws(NodeProblem) -> Self
}

extension Array: DecodableList where Element: Decodable {
    static func decodeItems(_ state: DecodingState, frame: Int) throws(NodeProblem) -> [Element] {
        let items = try state.openSequence(frame)
        var values: [Element] = []
        values.reserveCapacity(items.count)
        for position in 0..<items.count {
            values.append(try state.decode(Element.self, items[position], key: nil, parent: frame, component: .index(position)))
        }
        return values
    }
}

extension DecodingState {
    /// Whether `type` may be a list: an Array, told from the type descriptor in its metadata.
    /// A conformance lookup (`as? any DecodableList.Type`) costs some hundreds of instructions,
    /// which every struct decoded would pay; this is a few, and the cast after it decides.
    @inline(__always)
    static func mayBeList(_ type: Any.Type) -> Bool {
        typeDescriptor(type) == arrayDescriptor
    }

    private static let arrayDescriptor = typeDescriptor([Int].self)

    /// The address of a struct's nominal type descriptor (the second word of its metadata), or 0
    /// for a type of another kind.
    private static func typeDescriptor(_ type: Any.Type) -> UInt {
        let metadata = unsafeBitCast(type, to: UnsafeRawPointer.self)
        let structKind = 0x200
        guard metadata.load(as: Int.self) == structKind else { return 0 }
        return metadata.load(fromByteOffset: MemoryLayout<Int>.size, as: UInt.self)
    }

    /// `T`, a list type, read in a frame of its own as `T(from:)` would be.
    func decodeList<T: Decodable, L: DecodableList>(_ type: T.Type, as list: L.Type, _ node: NodeID, key: NodeID?, parent: Int, component: FieldPath.Component?) throws(NodeProblem) -> T {
        let frame = Frame(type: T.self, node: node, key: key, parent: parent, component: component, problemCount: problems.count)
        let value = try inFrame(frame) { index throws(NodeProblem) in try L.decodeItems(self, frame: index) }
        // L is T, opened from the cast that found it.
        return unsafeBitCast(value, to: T.self)
    }
}
