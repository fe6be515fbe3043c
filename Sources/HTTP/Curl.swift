internal import CCurl

/// `curl_global_init` must run once, before any handle exists, and never concurrently.
private let curlInitialized: Bool = {
    curl_global_init(hms_global_default()) == CURLE_OK
}()

/// One `CURL*` easy handle, owned here and freed in `deinit`. Not thread-safe: only the engine
/// thread touches it once it exists. Options that never change (callbacks, TLS) are set once;
/// the per-request ones are set by `prepare`, so a reused handle keeps its connection warm and
/// allocates nothing when the headers are the same as last time.
final class EasyHandle {
    let raw: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: HeaderList?
    private var lastHeaders: HTTPHeaders?
    /// The transfer now using this handle; the callbacks deliver to it.
    var transfer: Transfer?

    init(_ configuration: HTTPClient.Configuration) throws(HTTPError) {
        guard curlInitialized, let raw = curl_easy_init() else {
            throw HTTPError(.other, request: "curl", message: "libcurl could not be initialised", requestMayHaveBeenSent: false)
        }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(hms_error_size()))
        errorBuffer.initialize(to: 0)
        let context = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try check(hms_easy_setopt_data_callback(raw, CURLOPT_WRITEFUNCTION, bodyCallback))
        try set(CURLOPT_WRITEDATA, pointer: context)
        try check(hms_easy_setopt_data_callback(raw, CURLOPT_HEADERFUNCTION, headerCallback))
        try set(CURLOPT_HEADERDATA, pointer: context)
        try set(CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.milliseconds)
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try set(CURLOPT_TCP_KEEPIDLE, DeadConnections.idleSeconds)
        try set(CURLOPT_TCP_KEEPINTVL, DeadConnections.probeIntervalSeconds)
        try check(hms_easy_setopt_sockopt_callback(raw) { _, socket, purpose in
            // Only the connections curl makes for transfers; a refusal leaves the defaults.
            if purpose == CURLSOCKTYPE_IPCXN { DeadConnections.configure(socket: socket) }
            return CURL_SOCKOPT_OK
        })
        try set(CURLOPT_TCP_NODELAY, 1)
        // Redirects are the caller's business: the Kubernetes API never redirects a client.
        try set(CURLOPT_FOLLOWLOCATION, 0)
        if let proxy = configuration.proxy {
            // Otherwise curl follows http_proxy, HTTPS_PROXY and NO_PROXY, as Go's clients do.
            try set(CURLOPT_PROXY, proxy)
        }
        try configure(configuration.tls)
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    private func configure(_ tls: TLSConfiguration) throws(HTTPError) {
        if tls.insecureSkipVerify {
            try set(CURLOPT_SSL_VERIFYPEER, 0)
            try set(CURLOPT_SSL_VERIFYHOST, 0)
        } else {
            try set(CURLOPT_SSL_VERIFYPEER, 1)
            try set(CURLOPT_SSL_VERIFYHOST, 2)
        }
        switch tls.certificateAuthority {
        case .file(let path)?:
            try set(CURLOPT_CAINFO, path)
            // Only the configured authority, as kubectl: not also the system's directory.
            try check(hms_easy_setopt_string(raw, CURLOPT_CAPATH, nil))
        case .data(let bytes)?:
            try set(CURLOPT_CAINFO_BLOB, blob: bytes)
            try check(hms_easy_setopt_string(raw, CURLOPT_CAPATH, nil))
        case nil:
            break
        }
        switch tls.clientCertificate {
        case .file(let path)?: try set(CURLOPT_SSLCERT, path)
        case .data(let bytes)?: try set(CURLOPT_SSLCERT_BLOB, blob: bytes)
        case nil: break
        }
        if tls.clientCertificate != nil { try set(CURLOPT_SSLCERTTYPE, "PEM") }
        switch tls.clientKey {
        case .file(let path)?: try set(CURLOPT_SSLKEY, path)
        case .data(let bytes)?: try set(CURLOPT_SSLKEY_BLOB, blob: bytes)
        case nil: break
        }
        if tls.clientKey != nil { try set(CURLOPT_SSLKEYTYPE, "PEM") }
    }

    /// Sets what changes from one request to the next.
    func prepare(_ request: HTTPRequest) throws(HTTPError) {
        errorBuffer[0] = 0
        try set(CURLOPT_URL, request.url)
        if request.method == .head {
            try check(hms_easy_setopt_string(raw, CURLOPT_CUSTOMREQUEST, nil))
            try set(CURLOPT_NOBODY, 1)
        } else {
            // HTTPGET resets NOBODY and any upload or POST state left by the last request.
            try set(CURLOPT_HTTPGET, 1)
            if let body = request.body {
                try check(hms_easy_setopt_off_t(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
                // COPYPOSTFIELDS: curl keeps its own copy, so the body's lifetime is not ours to manage.
                let code = body.withUnsafeBytes { bytes in
                    hms_easy_setopt_pointer(raw, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(emptyBody)))
                }
                try check(code)
            }
            if request.method == .get && request.body == nil {
                try check(hms_easy_setopt_string(raw, CURLOPT_CUSTOMREQUEST, nil))
            } else if request.method == .post && request.body != nil {
                try check(hms_easy_setopt_string(raw, CURLOPT_CUSTOMREQUEST, nil))
            } else {
                try set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
            }
        }
        if request.headers != lastHeaders {
            // curl adds these on its own to bodies: `Expect: 100-continue` costs a round trip, and
            // a form content type would be a lie.
            var suppressed = ["Expect"]
            if request.headers["Content-Type"] == nil { suppressed.append("Content-Type") }
            let list = HeaderList(request.headers, suppressing: suppressed)
            try check(hms_easy_setopt_slist(raw, CURLOPT_HTTPHEADER, list.raw))
            headerList = list
            lastHeaders = request.headers
        }
        try set(CURLOPT_TIMEOUT_MS, request.timeout?.milliseconds ?? 0)
        // On a reused connection that closes before answering, curl silently sends the request
        // again; on a fresh one it does not. See `HTTPRequest.isIdempotent`.
        try set(CURLOPT_FRESH_CONNECT, request.isIdempotent ? 0 : 1)
    }

    /// curl's message for a failed transfer: its error buffer when it wrote one, else the generic text.
    func message(for code: CURLcode) -> String {
        if errorBuffer[0] != 0 { return String(cString: errorBuffer) }
        return String(cString: curl_easy_strerror(code))
    }

    func responseCode() -> Int {
        var code = 0
        _ = hms_easy_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// Whether curl got as far as sending: before that, no request reached the server.
    func requestWasAttempted() -> Bool {
        var microseconds: curl_off_t = 0
        _ = hms_easy_getinfo_off_t(raw, CURLINFO_PRETRANSFER_TIME_T, &microseconds)
        return microseconds > 0
    }

    func unpause() {
        _ = curl_easy_pause(raw, hms_pause_continue())
    }

    private func set(_ option: CURLoption, _ value: Int) throws(HTTPError) {
        try check(hms_easy_setopt_long(raw, option, value))
    }

    private func set(_ option: CURLoption, _ value: String) throws(HTTPError) {
        try check(hms_easy_setopt_string(raw, option, value))
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer) throws(HTTPError) {
        try check(hms_easy_setopt_pointer(raw, option, pointer))
    }

    /// Blobs are copied by curl (CURL_BLOB_COPY), so the bytes need not outlive the call.
    private func set(_ option: CURLoption, blob bytes: [UInt8]) throws(HTTPError) {
        let code = bytes.withUnsafeBytes { buffer in
            var blob = curl_blob(data: UnsafeMutableRawPointer(mutating: buffer.baseAddress), len: buffer.count, flags: UInt32(CURL_BLOB_COPY))
            return hms_easy_setopt_blob(raw, option, &blob)
        }
        try check(code)
    }

    private func check(_ code: CURLcode) throws(HTTPError) {
        guard code != CURLE_OK else { return }
        throw HTTPError(
            HTTPError.kind(forCurlCode: Int(code.rawValue)), request: "curl_easy_setopt",
            message: String(cString: curl_easy_strerror(code)), curlCode: Int(code.rawValue), requestMayHaveBeenSent: false
        )
    }
}

/// A zero-length body still needs a non-null pointer.
nonisolated(unsafe) private let emptyBody = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

/// One `curl_slist` of request headers, freed in `deinit`.
final class HeaderList {
    private(set) var raw: UnsafeMutablePointer<curl_slist>?

    init(_ headers: HTTPHeaders, suppressing suppressed: [String]) {
        for field in headers {
            // `Name;` is how curl sends a header with an empty value.
            raw = curl_slist_append(raw, field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        for name in suppressed {
            // `Name:` with nothing after it removes a header curl would add by itself.
            raw = curl_slist_append(raw, "\(name):")
        }
    }

    deinit { curl_slist_free_all(raw) }
}

/// One `CURLM*` multi handle, freed in `deinit`; its connection cache is what keeps connections
/// alive between requests.
final class MultiHandle {
    let raw: UnsafeMutableRawPointer

    init() throws(HTTPError) {
        guard curlInitialized, let raw = curl_multi_init() else {
            throw HTTPError(.other, request: "curl", message: "libcurl could not create a multi handle", requestMayHaveBeenSent: false)
        }
        self.raw = raw
        // Keep idle connections for as many transfers as callers run at once. curl's default grows
        // with the easy handles attached, and ours come and go per transfer: connections were
        // closed and opened again (90 connects for 4,000 writes sixteen at a time).
        _ = hms_multi_setopt_long(raw, CURLMOPT_MAXCONNECTS, 64)
    }

    deinit { curl_multi_cleanup(raw) }

    func add(_ easy: EasyHandle) -> Bool { curl_multi_add_handle(raw, easy.raw) == CURLM_OK }
    func remove(_ easy: EasyHandle) { _ = curl_multi_remove_handle(raw, easy.raw) }

    func perform() {
        var running: Int32 = 0
        _ = curl_multi_perform(raw, &running)
    }

    /// Sleeps until a socket is ready, curl's next timeout, `wakeUp()` or `milliseconds`.
    func poll(milliseconds: Int32) {
        var ready: Int32 = 0
        _ = curl_multi_poll(raw, nil, 0, milliseconds, &ready)
    }

    /// Safe from any thread.
    func wakeUp() { _ = curl_multi_wakeup(raw) }

    /// Finished transfers and their result codes.
    func completed() -> [(UnsafeMutableRawPointer, CURLcode)] {
        var done: [(UnsafeMutableRawPointer, CURLcode)] = []
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(raw, &remaining) {
            if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                done.append((easy, message.pointee.data.result))
            }
        }
        return done
    }
}

extension Duration {
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

/// C callbacks: they capture nothing and find their handle through the context pointer.
private let bodyCallback: hms_data_callback = { data, size, count, context in
    guard let context else { return 0 }
    let handle = Unmanaged<EasyHandle>.fromOpaque(context).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    switch handle.transfer?.receiveBody(bytes) {
    case .accepted?: return bytes.count
    case .pause?: return hms_writefunc_pause()
    case .abort?, nil: return 0  // curl ends the transfer with CURLE_WRITE_ERROR
    }
}

private let headerCallback: hms_data_callback = { data, size, count, context in
    guard let context else { return 0 }
    let handle = Unmanaged<EasyHandle>.fromOpaque(context).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    handle.transfer?.receiveHeaderLine(bytes, handle: handle)
    return bytes.count
}
