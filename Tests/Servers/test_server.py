#!/usr/bin/env python3
"""A small HTTP/1.1 server for the client's live tests; prints "PORT <n>" once it listens.

  test_server.py [--cert FILE --key FILE [--client-ca FILE]]

Routes:
  ANY  /echo...          JSON: method, path, headers, body (as text), client port, client CN
  GET  /status/<code>    that status; /status/<code>?retry-after=<s> adds Retry-After
  GET  /slow?ms=<n>      answers after n milliseconds
  GET  /stream?lines=<n>&interval_ms=<m>   n newline-terminated JSON lines, chunked, m ms apart
  GET  /forever          chunked lines every 50 ms until the client goes away
  GET  /bytes?n=<n>      n bytes of "x"
  GET  /api/...          a tiny Kubernetes collection: a list (resourceVersion 100, one pod), or with
                         watch=true three ADDED events after the given resourceVersion, then the end
  GET  /barrier?id=<s>&n=<n>   waits until n requests with this id have arrived (200), or 10 s (504):
                         only a client that really sends them at once gets 200s
  ANY  /drop?id=<s>      reads the request, counts it, and closes the connection without answering
  GET  /count?id=<s>     JSON {"count": n}: how many requests /drop has seen with this id
With --client-ca, a client certificate signed by that CA is required; /echo reports its CN.
"""
import argparse
import json
import signal
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


barriers = {}
barriers_lock = threading.Condition()
drops = {}
drops_lock = threading.Lock()


def wait_at_barrier(name, count):
    with barriers_lock:
        barriers[name] = barriers.get(name, 0) + 1
        barriers_lock.notify_all()
        return barriers_lock.wait_for(lambda: barriers[name] >= count, timeout=10)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add 40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status, body, content_type="application/json", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _client_cn(self):
        getpeercert = getattr(self.connection, "getpeercert", None)
        cert = getpeercert() if getpeercert else None
        if not cert:
            return None
        for rdn in cert.get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    return value
        return None

    def _chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _handle(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = self._body()
        if url.path.startswith("/echo"):
            answer = {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
                "clientPort": self.client_address[1],
                "clientCN": self._client_cn(),
            }
            self._send(200, json.dumps(answer).encode())
        elif url.path.startswith("/status/"):
            code = int(url.path.rsplit("/", 1)[1])
            extra = {"Retry-After": query["retry-after"]} if "retry-after" in query else None
            self._send(code, json.dumps({"code": code}).encode(), extra=extra)
        elif url.path == "/slow":
            time.sleep(int(query.get("ms", "1000")) / 1000)
            self._send(200, b"{}")
        elif url.path.startswith("/api/") and query.get("watch") == "true":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            start = int(query.get("resourceVersion", "0"))
            for version in range(start + 1, start + 4):
                event = {"type": "ADDED", "object": {"metadata": {"name": "pod-%d" % version, "resourceVersion": str(version)}}}
                self._chunk(json.dumps(event).encode() + b"\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        elif url.path.startswith("/api/"):
            answer = {"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "100"},
                      "items": [{"metadata": {"name": "pod-100", "resourceVersion": "100"}}],
                      "authorization": self.headers.get("Authorization")}
            self._send(200, json.dumps(answer).encode())
        elif url.path == "/barrier":
            met = wait_at_barrier(query.get("id", ""), int(query.get("n", "1")))
            self._send(200 if met else 504, b"{}")
        elif url.path == "/drop":
            # As a server that dies after reading the request: did it act on it? The client cannot know.
            with drops_lock:
                drops[query.get("id", "")] = drops.get(query.get("id", ""), 0) + 1
            self.close_connection = True
        elif url.path == "/count":
            with drops_lock:
                count = drops.get(query.get("id", ""), 0)
            self._send(200, json.dumps({"count": count}).encode())
        elif url.path == "/bytes":
            self._send(200, b"x" * int(query.get("n", "0")), "application/octet-stream")
        elif url.path in ("/stream", "/forever"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            lines = int(query.get("lines", "1000000000")) if url.path == "/stream" else 1000000000
            interval = int(query.get("interval_ms", "50" if url.path == "/forever" else "0")) / 1000
            try:
                for i in range(lines):
                    if interval:
                        time.sleep(interval)
                    self._chunk(json.dumps({"n": i}).encode() + b"\n")
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                self.close_connection = True
        else:
            self._send(404, b'{"code":404}')

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True
    tls_context = None

    def get_request(self):
        sock, address = super().get_request()
        if self.tls_context is not None:
            sock = self.tls_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def process_request_thread(self, request, client_address):
        # The handshake runs on the request's thread, so one refused client never stalls the rest.
        if self.tls_context is not None:
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError):
                self.shutdown_request(request)
                return
        super().process_request_thread(request, client_address)

    def handle_error(self, request, client_address):
        pass


def main():
    # The parent may have blocked signals in the thread that started us; SIGTERM must stop us.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--client-ca")
    args = parser.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args.client_ca)
        server.tls_context = context
    print("PORT", server.server_address[1], flush=True)
    # Exit when the test process goes away (our stdin closes).
    threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
