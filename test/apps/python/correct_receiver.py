"""A Stripe webhook receiver in Python's standard library only, written the way Stripe asks:
the HMAC over the raw bytes with a constant-time compare, a timestamp tolerance, a body limit,
deduplication by event id in one locked step, and a 200 before the work (done in a thread).

    python3 correct_receiver.py SECRET [WORK_SECONDS]

Prints "listening on <port>" once ready. POST /webhooks takes events; GET /processed answers
{"processed": n}, the count `hookwright check --processed-url` reads.
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
TOLERANCE = 300
MAX_BODY = 512 * 1024

lock = threading.Lock()
seen = set()
processed = 0


def verify(header, raw):
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    timestamps = [v for k, v in parts if k == "t"]
    signatures = [v for k, v in parts if k == "v1"]
    if not timestamps or not signatures or not timestamps[0].isdigit():
        return False
    if abs(time.time() - int(timestamps[0])) > TOLERANCE:
        return False
    expected = hmac.new(SECRET, timestamps[0].encode() + b"." + raw, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, s) for s in signatures)


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
            # Read and drop it in small pieces, so the sender gets the 413 and not a reset.
            while length > 0:
                chunk = self.rfile.read(min(length, 65536))
                if not chunk:
                    break
                length -= len(chunk)
            return self.answer(413, {"error": "too large"})
        raw = self.rfile.read(length)
        if not verify(self.headers.get("stripe-signature", ""), raw):
            return self.answer(400, {"error": "invalid signature"})
        try:
            event = json.loads(raw)
            event_id = event["id"]
        except (ValueError, KeyError, TypeError):
            return self.answer(400, {"error": "not an event"})
        with lock:
            if event_id in seen:
                duplicate = True
            else:
                duplicate = False
                seen.add(event_id)
                processed += 1
        self.answer(200, {"duplicate": duplicate})
        if not duplicate:
            threading.Thread(target=time.sleep, args=(WORK_SECONDS,), daemon=True).start()


# socketserver's default listen backlog is 5: a burst of 20 connections would wait on SYN
# retransmits (a second or more) before the handler even runs.
ThreadingHTTPServer.request_queue_size = 128
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(f"listening on {server.server_address[1]}", flush=True)
server.serve_forever()
