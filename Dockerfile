# hms-controller, the in-cluster controller.
#   docker build -t REGISTRY/hms-controller:0.1.0 .
# Then set image.repository (and image.tag) in the Helm chart, or the image in manifests/install.yaml.

# The project is built and tested with Swift 6.3 on Debian 12; the runtime stage is Debian 12 too,
# so the libyaml and libcurl the binary links against are the same versions.
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS builder
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libyaml-dev libcurl4-openssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Dependencies first: this layer is rebuilt only when the manifest changes.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product hms-controller --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/hms-controller" /out/hms-controller

FROM ${RUNTIME_IMAGE}
# libyaml and libcurl (with its TLS and HTTP/2 libraries) are linked dynamically; the Swift
# runtime and Foundation are in the binary. tzdata: Directives and freeze windows use IANA zones.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libyaml-0-2 libcurl4 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 65532 hms \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin hms \
 && install -d -o 65532 -g 65532 /var/lib/hms-controller
COPY --from=builder /out/hms-controller /usr/local/bin/hms-controller
# The decision journal; in Kubernetes the chart mounts a volume here (the root filesystem is read-only).
ENV HMS_JOURNAL=/var/lib/hms-controller/journal.jsonl
USER 65532:65532
# metrics, health, console
EXPOSE 8080 8081 4400
ENTRYPOINT ["/usr/local/bin/hms-controller"]
