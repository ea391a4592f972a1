"""The one YAML loader of the package: safe tags only, bounded size, bounded alias expansion.

Why: the files it reads (manifests, workflow files, Alertmanager configs, answers of monitoring
backends) come from the repository or the target under review, so they are untrusted input.  A
734-byte alias bomb ("billion laughs") composes to a tiny node graph but anything that walks the
loaded data (our rules, JSON evidence) expands it to gigabytes.  Before constructing Python objects
we count the nodes the document would have with every alias expanded, and refuse beyond a budget.
"""

from __future__ import annotations

from typing import Any

import yaml

from pytest_readiness.errors import ProbeError

__all__ = ["MAX_BYTES", "MAX_NODES", "YamlRefused", "load", "load_all"]

MAX_BYTES = 8 * 1024 * 1024  # a large CRD bundle is ~2 MB
MAX_NODES = 1_000_000  # expanded nodes per document; a big manifest has a few tens of thousands

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlRefused(ProbeError):
    """A YAML input over the size or alias-expansion budget (the item becomes ``error``)."""


def load(text: str, source: str) -> Any:
    """The single document of ``text`` (None when empty); ``source`` names the file in errors."""
    docs = load_all(text, source)
    if len(docs) > 1:
        raise yaml.composer.ComposerError(
            "expected a single document in the stream", None, "but found another document", None
        )
    return docs[0] if docs else None


def load_all(text: str, source: str) -> list[Any]:
    """Every document of ``text``; malformed YAML raises ``yaml.YAMLError`` as ``yaml`` does."""
    if len(text) > MAX_BYTES:
        raise YamlRefused(f"{source}: YAML larger than {MAX_BYTES // 2**20} MB, not parsed")
    loader = _Loader(text)
    try:
        docs = []
        while loader.check_node():
            node = loader.get_node()
            problem = _expansion_problem(node)
            if problem:  # raised here, not below: a traceback must never repr the node graph
                raise YamlRefused(f"{source}: {problem}, not parsed")
            docs.append(loader.construct_document(node))
        return docs
    finally:
        loader.dispose()


def _expansion_problem(root: yaml.Node) -> str:
    """Count the nodes of ``root`` with aliases expanded (shared nodes counted at each use)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            size = 1 + sum(sizes[id(c)] for c in _children(node))
            if size > MAX_NODES:
                return f"YAML aliases expand beyond {MAX_NODES:,} nodes (an alias bomb?)"
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in open_:
            return "recursive YAML alias"
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    return ""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []
