"""Kubernetes label selectors with the API server's semantics, compiled once and matched often.

``matchLabels`` and ``matchExpressions`` are ANDed; operators ``In``, ``NotIn``, ``Exists`` and
``DoesNotExist`` behave as in ``k8s.io/apimachinery/pkg/labels`` (``NotIn`` also matches a pod that
lacks the key).  What an *empty* or *absent* selector means depends on the object, so callers say it:

* NetworkPolicy ``podSelector: {}`` selects every pod of its namespace (the field is required).
* PodDisruptionBudget, ``policy/v1``: "a null selector will match no pods, while an empty ({})
  selector will select all pods within its namespace" (API reference); ``policy/v1beta1``: an empty
  selector matched nothing.  We follow the documentation of the object's own apiVersion.
* Service ``spec.selector`` is a plain map; an empty or absent one selects nothing (no endpoints).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

Labels = Mapping[str, str]
Matcher = Callable[[Labels], bool]
T = TypeVar("T")


def _nothing(labels: Labels) -> bool:
    return False


def _everything(labels: Labels) -> bool:
    return True


def compile_selector(
    selector: Any, *, empty_matches_all: bool = True, null_matches_all: bool = False
) -> Matcher:
    """A predicate over pod labels for a ``LabelSelector`` (dict or None).

    A malformed selector (unknown operator, non-mapping) matches nothing: a check must never
    believe a pod is protected because of a selector the API server would reject.
    """
    if selector is None:
        return _everything if null_matches_all else _nothing
    if not isinstance(selector, Mapping):
        return _nothing
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match_labels, Mapping) or not isinstance(expressions, list):
        return _nothing
    if not match_labels and not expressions:
        return _everything if empty_matches_all else _nothing
    required = tuple((str(k), str(v)) for k, v in match_labels.items())
    tests: list[Matcher] = []
    for expr in expressions:
        test = _expression(expr)
        if test is None:
            return _nothing
        tests.append(test)

    def match(labels: Labels) -> bool:
        for key, value in required:
            if labels.get(key) != value:
                return False
        return all(t(labels) for t in tests)

    return match


def _expression(expr: Any) -> Matcher | None:
    if not isinstance(expr, Mapping):
        return None
    key, op = str(expr.get("key", "")), expr.get("operator")
    values = frozenset(str(v) for v in (expr.get("values") or []))
    if op == "In":
        return lambda labels: key in labels and labels[key] in values
    if op == "NotIn":
        return lambda labels: key not in labels or labels[key] not in values
    if op == "Exists":
        return lambda labels: key in labels
    if op == "DoesNotExist":
        return lambda labels: key not in labels
    return None


def matches_nothing(matcher: Matcher) -> bool:
    """True when a compiled selector can select no pod at all (null, malformed, or v1beta1 ``{}``)."""
    return matcher is _nothing


def compile_map_selector(selector: Any) -> Matcher:
    """A Service-style ``{key: value}`` selector; empty or absent selects nothing."""
    if not isinstance(selector, Mapping) or not selector:
        return _nothing
    return compile_selector({"matchLabels": selector})


def pdb_matcher(pdb: Mapping[str, Any]) -> Matcher:
    """The pods a PodDisruptionBudget governs, by its apiVersion's documented selector semantics."""
    spec = pdb.get("spec") or {}
    v1beta1 = str(pdb.get("apiVersion", "")).endswith("v1beta1")
    return compile_selector(spec.get("selector"), empty_matches_all=not v1beta1, null_matches_all=False)


def network_policy_matcher(policy: Mapping[str, Any]) -> Matcher:
    """The pods a NetworkPolicy isolates: ``podSelector: {}`` (or absent) selects every pod."""
    spec = policy.get("spec") or {}
    return compile_selector(spec.get("podSelector"), empty_matches_all=True, null_matches_all=True)


def required_pair(selector: Any) -> tuple[str, str] | None:
    """One ``(key, value)`` every selected pod must carry, if the selector implies one.

    Lets an index look selectors up by a pod's labels instead of testing every selector against every
    pod: linear, not quadratic, in the number of workloads per namespace.
    """
    if not isinstance(selector, Mapping):
        return None
    match_labels = selector.get("matchLabels")
    if isinstance(match_labels, Mapping) and match_labels:
        key, value = next(iter(match_labels.items()))
        return str(key), str(value)
    for expr in selector.get("matchExpressions") or []:
        if isinstance(expr, Mapping) and expr.get("operator") == "In" and len(expr.get("values") or []) == 1:
            return str(expr.get("key")), str(expr["values"][0])
    return None


class SelectorIndex(Generic[T]):
    """Items with label selectors, per namespace, bucketed by a required label pair."""

    def __init__(self) -> None:
        self._pairs: dict[tuple[str, str, str], list[tuple[int, T, Matcher]]] = defaultdict(list)
        self._scan: dict[str, list[tuple[int, T, Matcher]]] = defaultdict(list)
        self._count = 0

    def add(self, namespace: str, item: T, selector: Any, matcher: Matcher) -> None:
        entry = (self._count, item, matcher)
        self._count += 1
        pair = required_pair(selector)
        if pair is None:
            self._scan[namespace].append(entry)
        else:
            self._pairs[(namespace, *pair)].append(entry)

    def matching(self, namespace: str, labels: Labels) -> list[T]:
        """Items whose selector selects ``labels`` in ``namespace``, in insertion order."""
        entries = list(self._scan.get(namespace, ()))
        for key, value in labels.items():
            entries.extend(self._pairs.get((namespace, key, value), ()))
        entries.sort(key=lambda e: e[0])
        return [item for _, item, match in entries if match(labels)]
