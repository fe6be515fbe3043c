internal import CLibYAML

/// Writes node trees as a YAML stream through libyaml's emitter, in the block style kubectl prints:
/// two-space indents, lists at the indent of their key, `---` between documents.
public struct YAMLEmitter: Sendable {
    public init() {}

    public func emit(_ documents: [Node]) throws(YAMLError) -> String {
        let writer = EventWriter()
        try writer.emit { event in yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING) }
        for document in documents {
            try writer.emit { event in yaml_document_start_event_initialize(&event, nil, nil, nil, 1) }
            try emit(document, to: writer)
            try writer.emit { event in yaml_document_end_event_initialize(&event, 1) }
        }
        try writer.emit { event in yaml_stream_end_event_initialize(&event) }
        return String(decoding: writer.output, as: UTF8.self)
    }

    private func emit(_ node: Node, to writer: EventWriter) throws(YAMLError) {
        switch node.content {
        case .scalar(let scalar):
            var text = Array(scalar.string.utf8)
            let style = scalar.style.libyaml
            try text.withUnsafeMutableBufferPointer { (buffer) throws(YAMLError) in
                try writer.emit { event in
                    yaml_scalar_event_initialize(&event, nil, nil, buffer.baseAddress ?? emptyBuffer, Int32(buffer.count), 1, 1, style)
                }
            }
        case .sequence(let items):
            try writer.emit { event in yaml_sequence_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE) }
            for item in items { try emit(item, to: writer) }
            try writer.emit { event in yaml_sequence_end_event_initialize(&event) }
        case .mapping(let pairs):
            try writer.emit { event in yaml_mapping_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE) }
            for pair in pairs {
                try emit(pair.key, to: writer)
                try emit(pair.value, to: writer)
            }
            try writer.emit { event in yaml_mapping_end_event_initialize(&event) }
        }
    }
}

/// Owns one `yaml_emitter_t`; libyaml writes through `writeHandler`, which finds this object
/// through the context pointer.
private final class EventWriter {
    private var emitter = yaml_emitter_t()
    var output: [UInt8] = []

    init() {
        yaml_emitter_initialize(&emitter)
        yaml_emitter_set_unicode(&emitter, 1)
        yaml_emitter_set_width(&emitter, -1)
        yaml_emitter_set_indent(&emitter, 2)
        yaml_emitter_set_output(&emitter, writeOutput, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { yaml_emitter_delete(&emitter) }

    /// Initializes an event and hands it to the emitter, which takes ownership of it.
    func emit(_ initialize: (inout yaml_event_t) -> Int32) throws(YAMLError) {
        var event = yaml_event_t()
        guard initialize(&event) == 1 else { throw YAMLError(.memory, "out of memory while emitting", at: nil) }
        guard yaml_emitter_emit(&emitter, &event) == 1 else {
            let problem = emitter.problem.map { String(cString: $0) } ?? "unknown problem"
            throw YAMLError(.emitter, problem, at: nil)
        }
    }
}

private func writeOutput(_ context: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let context, let buffer else { return 0 }
    let writer = Unmanaged<EventWriter>.fromOpaque(context).takeUnretainedValue()
    writer.output.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
    return 1
}

extension Scalar.Style {
    var libyaml: yaml_scalar_style_t {
        switch self {
        case .plain: YAML_PLAIN_SCALAR_STYLE
        case .singleQuoted: YAML_SINGLE_QUOTED_SCALAR_STYLE
        case .doubleQuoted: YAML_DOUBLE_QUOTED_SCALAR_STYLE
        case .literal: YAML_LITERAL_SCALAR_STYLE
        case .folded: YAML_FOLDED_SCALAR_STYLE
        }
    }
}
