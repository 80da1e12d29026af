"""A webhook receiver for Puls's tests: a real HTTP server that verifies every delivery with
the official `standardwebhooks` library (PyPI) and deduplicates by `webhook-id`.

It prints `PORT <n>` on its first line, then serves:
  POST /_secret/<path>     the body is the secret to verify deliveries to /<path> with
  GET  /_log               every delivery so far, as JSON
  POST /ok                 200
  POST /slow               200 after 10 ms (a delivery in flight for a while)
  POST /slack              200, logs the JSON body (Slack-compatible messages, unsigned)
  POST /flaky              500 the first time a webhook-id comes, then 200
  POST /gone               410
  POST /redirect           302 to /ok (a sender must not follow it)
Each delivery is logged with its path, webhook-id, whether the signature verified (and why
not), the status answered, and whether the id was new.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

state = {"secrets": {}, "log": [], "seen": set(), "failed_once": set()}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_log":
            with lock:
                body = json.dumps(state["log"]).encode()
            self._answer(200, body, [("Content-Type", "application/json")])
        else:
            self._answer(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path.startswith("/_secret/"):
            with lock:
                state["secrets"]["/" + self.path[len("/_secret/"):]] = body.decode()
            self._answer(204)
            return
        if self.path == "/slack":
            # A Slack-compatible incoming webhook: JSON with text and blocks, no signature.
            with lock:
                state["log"].append(
                    {
                        "path": self.path,
                        "signed": "webhook-signature" in {k.lower() for k in self.headers},
                        "body": json.loads(body),
                    }
                )
            self._answer(200, b"ok")
            return
        if self.path == "/slow":
            time.sleep(0.01)
        headers = {k.lower(): v for k, v in self.headers.items()}
        msg_id = headers.get("webhook-id", "")
        verified, error, payload = False, None, None
        try:
            payload = Webhook(state["secrets"][self.path]).verify(body, headers)
            verified = True
        except Exception as e:  # the library's own verdict, kept for the test to read
            error = f"{type(e).__name__}: {e}"
        with lock:
            new = msg_id not in state["seen"]
            if self.path == "/flaky" and msg_id not in state["failed_once"]:
                state["failed_once"].add(msg_id)
                status = 500
            elif self.path == "/gone":
                status = 410
            elif self.path == "/redirect":
                status = 302
            else:
                status = 200
            if status < 300:
                state["seen"].add(msg_id)
            state["log"].append(
                {
                    "path": self.path,
                    "id": msg_id,
                    "verified": verified,
                    "error": error,
                    "status": status,
                    "new": new,
                    "type": payload.get("type") if isinstance(payload, dict) else None,
                    "data_id": (payload.get("data") or {}).get("id")
                    if isinstance(payload, dict)
                    else None,
                }
            )
        if status == 302:
            self._answer(302, b"", [("Location", "/ok")])
        else:
            self._answer(status)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
