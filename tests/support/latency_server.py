"""A local HTTP server with a known latency distribution, run as a separate process (own GIL).

Every 10th request (by arrival) answers after ``--slow-ms``, the others after ``--fast-ms``.  With
``--stall-at S`` the server stalls for ``--stall-s`` seconds starting ``S`` seconds after the first
request: every request arriving in the stall waits for its end.  Prints its port on stdout.
"""

import argparse
import itertools
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--fast-ms", type=float, default=5)
parser.add_argument("--slow-ms", type=float, default=80)
parser.add_argument("--stall-at", type=float, default=-1)
parser.add_argument("--stall-s", type=float, default=1)
args = parser.parse_args()

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
ERROR = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\nno\n"
counter = itertools.count()
lock = threading.Lock()
first: list[float] = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        now = time.monotonic()
        with lock:
            n = next(counter)
            if not first:
                first.append(now)
        if args.stall_at >= 0:
            start = first[0] + args.stall_at
            if start <= now < start + args.stall_s:
                time.sleep(start + args.stall_s - now)
        time.sleep((args.slow_ms if n % 10 == 9 else args.fast_ms) / 1000)
        # one pre-built write: no Date formatting or logging between the sleep and the answer
        self.wfile.write(ERROR if self.path == "/error" else OK)

    def log_message(self, *a):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
