"""Placeholder, replaced below."""
from __future__ import annotations
from typing import Any
class Collector:
    def __init__(self, *args: Any) -> None:
        pass
