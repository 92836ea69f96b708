"""The same Stripe receiver with the classic bugs of tutorial code, in Python's standard library:

1. the JSON is parsed and re-serialised before the HMAC (json.dumps is not the signed bytes);
2. no timestamp check (a signature from last year still passes);
3. a non-atomic dedupe: "seen?" then a database round trip, then the insert;
4. the work (WORK_SECONDS) is done before the answer.

    python3 buggy_receiver.py SECRET [WORK_SECONDS]

Prints "listening on <port>" once ready; GET /processed answers {"processed": n}.
"""
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = sys.argv[1].encode()
WORK_SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
MAX_BODY = 512 * 1024

lock = threading.Lock()
seen = set()
processed = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/processed":
            with lock:
                self.answer(200, {"processed": processed})
        else:
            self.answer(404, {"error": "not found"})

    def do_POST(self):
        global processed
        length = int(self.headers.get("content-length") or 0)
        if length > MAX_BODY:
            while length > 0:
                chunk = self.rfile.read(min(length, 65536))
                if not chunk:
                    break
                length -= len(chunk)
            return self.answer(413, {"error": "too large"})
        raw = self.rfile.read(length)
        try:
            event = json.loads(raw)
        except ValueError:
            return self.answer(400, {"error": "not JSON"})
        body = json.dumps(event, separators=(",", ":"))  # bug 1: not the bytes that were signed
        parts = dict(p.split("=", 1) for p in self.headers.get("stripe-signature", "").split(",") if "=" in p)
        expected = hmac.new(SECRET, f"{parts.get('t')}.{body}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts.get("v1", "")):  # bug 2: parts["t"] never checked
            return self.answer(400, {"error": "invalid signature"})
        if not isinstance(event, dict) or event.get("id") in seen:
            return self.answer(200, {"duplicate": True})
        time.sleep(0.2)  # bug 3: the lookup between the check and the insert
        seen.add(event.get("id"))
        with lock:
            processed += 1
        time.sleep(WORK_SECONDS)  # bug 4: the work before the answer
        self.answer(200, {"duplicate": False})


# socketserver's default listen backlog is 5: a burst of 20 connections would wait on SYN
# retransmits (a second or more) before the handler even runs.
ThreadingHTTPServer.request_queue_size = 128
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(f"listening on {server.server_address[1]}", flush=True)
server.serve_forever()
