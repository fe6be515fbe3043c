#!/usr/bin/env bash
# Regenerates Sources/KubeProto/Generated/ from the trimmed .proto files in Sources/KubeProto/proto/:
# the swift-protobuf messages, and the descriptor set the decoder reads field names from. The output
# is committed, so builds and CI need neither protoc nor the plugin; run this after editing a .proto.
#   hack/gen-proto.sh        (needs protoc: apt-get install protobuf-compiler; builds protoc-gen-swift
#                             once, about 5-10 minutes, into .build/protoc-gen-swift)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

# The plugin's version must match the runtime's: read it from Package.swift.
version=$(sed -n 's#.*apple/swift-protobuf", exact: "\([0-9.]*\)".*#\1#p' Package.swift)
[ -n "$version" ] || { echo "gen-proto: no exact swift-protobuf version in Package.swift" >&2; exit 1; }
command -v protoc >/dev/null || { echo "gen-proto: protoc is missing (apt-get install protobuf-compiler)" >&2; exit 1; }

tools=.build/protoc-gen-swift
plugin="$tools/$version/.build/release/protoc-gen-swift"
if [ ! -x "$plugin" ]; then
    rm -rf "$tools/$version"
    git clone --quiet --depth 1 --branch "$version" https://github.com/apple/swift-protobuf "$tools/$version"
    swift build --package-path "$tools/$version" -c release --product protoc-gen-swift
fi

proto=Sources/KubeProto/proto
out=Sources/KubeProto/Generated
rm -f "$out"/*.swift
protoc -I "$proto" --plugin=protoc-gen-swift="$plugin" --swift_out="$out" --swift_opt=Visibility=Public "$proto"/*.proto
set_file=$(mktemp)
trap 'rm -f "$set_file"' EXIT
protoc -I "$proto" --include_imports --descriptor_set_out="$set_file" "$proto"/*.proto
{
    echo "// DO NOT EDIT. Written by hack/gen-proto.sh from Sources/KubeProto/proto/*.proto."
    echo
    echo "/// The FileDescriptorSet of the trimmed .proto files, base64: field names for the JSON form."
    echo "enum KubeProtoDescriptors {"
    echo "    static let fileDescriptorSet = \"\"\""
    base64 -w 100 "$set_file" | sed 's/^/        /; $!s/$/\\/'
    echo "        \"\"\""
    echo "}"
} >"$out/KubeProtoDescriptors.swift"
echo "gen-proto: wrote $(ls "$out" | wc -l) files to $out"
