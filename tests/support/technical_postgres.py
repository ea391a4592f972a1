"""PostgreSQL settings and a provoked deadlock for the technical-success tests."""

from __future__ import annotations

import threading
import time

import psycopg

SETTINGS = {"deadlock_timeout": "100ms", "max_connections": "10", "superuser_reserved_connections": "0"}


INIT = (
    "CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts VALUES (1, 10), (2, 10);"
)


def provoke_deadlock(dsn: str) -> bool:
    """Two transactions locking the same two rows in opposite order: PostgreSQL kills one."""
    a, b = psycopg.connect(dsn), psycopg.connect(dsn)
    caught: list[BaseException] = []
    try:
        a.execute("UPDATE accounts SET balance = balance - 1 WHERE id = 1")
        b.execute("UPDATE accounts SET balance = balance - 1 WHERE id = 2")

        def a_second() -> None:
            try:
                a.execute("UPDATE accounts SET balance = balance + 1 WHERE id = 2")
            except psycopg.errors.DeadlockDetected as exc:
                caught.append(exc)

        t = threading.Thread(target=a_second)
        t.start()
        time.sleep(0.05)
        try:
            b.execute("UPDATE accounts SET balance = balance + 1 WHERE id = 1")
        except psycopg.errors.DeadlockDetected as exc:
            caught.append(exc)
        t.join(10)
    finally:
        for conn in (a, b):
            conn.rollback()
            conn.close()
    return bool(caught)
