#!/usr/bin/env python3
"""A webhook receiver for Alertmanager that spools each payload as one line of a file.

Point an Alertmanager webhook receiver at it, then import the file with
`incidents import --from alertmanager FILE` (from cron or a timer). Re-importing the whole
file is safe: payloads already imported are duplicates and write nothing.

Each POST body must be JSON; it is appended to FILE as one line (the newlines JSON allows
between tokens become spaces, nothing else changes), under an exclusive lock and synced
before the receiver answers 200, so a payload Alertmanager was told is taken is on disk.
Anything else gets 400, which Alertmanager retries and reports. Python standard library only.

Usage: alertmanager-spool.py [--listen HOST:PORT] FILE    (default 127.0.0.1:9095)
"""
import argparse
import fcntl
import http.server
import json
import os
import signal
import sys


def make_handler(spool):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            try:
                json.loads(body)
            except ValueError as error:
                self.send_error(400, f"not JSON: {error}")
                return
            line = body.replace(b"\r", b" ").replace(b"\n", b" ").strip() + b"\n"
            with open(spool, "ab") as out:
                fcntl.flock(out, fcntl.LOCK_EX)
                out.write(line)
                out.flush()
                os.fsync(out.fileno())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


def stop(signum, frame):
    raise KeyboardInterrupt


def main():
    # Stop on SIGTERM (a service manager's stop) as on Ctrl-C, even if the parent blocked it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, stop)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="the spool file payloads are appended to")
    parser.add_argument("--listen", default="127.0.0.1:9095", help="HOST:PORT to listen on")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    server = http.server.ThreadingHTTPServer((host or "127.0.0.1", int(port)),
                                             make_handler(args.file))
    print(f"alertmanager-spool: listening on {server.server_address[0]}:"
          f"{server.server_address[1]}, spooling to {args.file}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
