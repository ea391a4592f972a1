"""A tiny DNS server on a free loopback UDP port, answering from a dict zone (tests and the demo).

``LocalDNS({"app.example.com": [("CNAME", "d1.cloudfront.net", 60)], ...})``
follows CNAME chains like a recursive resolver would and answers NXDOMAIN for unknown names;
``silent=True`` never answers (a dead resolver).  Responses are built by dnspython.
"""

from __future__ import annotations

__all__ = ["LocalDNS", "Zone"]

import socket
import threading

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

Zone = dict[str, list[tuple[str, str, int]]]


class LocalDNS:
    def __init__(self, zone: Zone, *, silent: bool = False) -> None:
        self.zone = {k.rstrip(".").lower(): v for k, v in zone.items()}
        self.silent = silent
        self.queries: list[tuple[str, str]] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> LocalDNS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            if self.silent:
                continue
            try:
                query = dns.message.from_wire(data)
            except Exception:
                continue
            self.sock.sendto(self.answer(query).to_wire(), addr)

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        resp = dns.message.make_response(query)
        resp.flags |= dns.flags.AA | dns.flags.RA
        question = query.question[0]
        qtype = dns.rdatatype.to_text(question.rdtype)
        name = question.name.to_text().rstrip(".").lower()
        self.queries.append((name, qtype))
        for _ in range(8):
            records = self.zone.get(name)
            if records is None:
                if not resp.answer:
                    resp.set_rcode(dns.rcode.NXDOMAIN)
                break
            cnames = [r for r in records if r[0] == "CNAME"]
            if cnames and qtype != "CNAME":
                _, target, ttl = cnames[0]
                resp.answer.append(
                    dns.rrset.from_text(name + ".", ttl, "IN", "CNAME", target.rstrip(".") + ".")
                )
                name = target.rstrip(".").lower()
                continue
            matching = [r for r in records if r[0] == qtype]
            if matching:
                ttl = matching[0][2]
                resp.answer.append(
                    dns.rrset.from_text_list(name + ".", ttl, "IN", qtype, [r[1] for r in matching])
                )
            break
        return resp
