"""How many statements a configured SQL string holds, without a database (for exit-4 validation).

Why a small splitter and not psycopg: configuration is validated before any probe and without
touching the network, so the server cannot be asked.  The server stays the guarantee (queries run
with the extended protocol, which rejects a second statement); this check only turns the mistake
into a clear configuration error early.  It respects '...' strings (with '' escapes), "..."
identifiers, $tag$ ... $tag$ bodies and -- / /* */ comments, so a ';' inside them does not count.
"""

from __future__ import annotations

import re

__all__ = ["statement_count"]

_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$")


def statement_count(sql: str) -> int:
    """The number of non-empty statements separated by top-level ``;``."""
    count = 0
    pending = False  # something other than blanks/comments since the last ';'
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c == ";":
            count += pending
            pending = False
            i += 1
            continue
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c.isspace():
            i += 1
            continue
        pending = True
        if c in "'\"":
            i = _after_quoted(sql, i, c)
        elif c == "$" and (m := _DOLLAR.match(sql, i)):
            end = sql.find(m.group(0), m.end())
            i = n if end < 0 else end + len(m.group(0))
        else:
            i += 1
    return count + pending


def _after_quoted(sql: str, i: int, quote: str) -> int:
    """Index after the quoted text starting at ``i`` (a doubled quote is an escaped quote)."""
    j = i + 1
    while True:
        end = sql.find(quote, j)
        if end < 0:
            return len(sql)
        if sql.startswith(quote * 2, end):
            j = end + 2
            continue
        return end + 1
