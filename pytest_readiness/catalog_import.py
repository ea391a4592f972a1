"""Turn a Markdown checklist into catalog items.

Headings become sections and groups, list items (``- [ ]``, ``1. [ ]``, ``- ✅``, plain bullets)
become items; decorative prefixes (emoji, also when they arrive garbled as mojibake) and fill-in
blanks (``: ____ Date: ____``) are stripped.  IDs are derived from the text, so re-importing the same
file gives the same IDs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pytest_readiness.catalog import Item

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST = re.compile(r"^(?P<indent>\s*)(?P<marker>[-*+]|\d+[.)])\s+(?P<body>.*\S)\s*$")
_CHECKBOX = re.compile(r"^\[(?P<mark>[ xX])\]\s*")
_FILL_IN = re.compile(r"\s*:?\s*_{3,}.*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_WORD = re.compile(r"[A-Za-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "if",
        "not",
        "to",
        "in",
        "on",
        "with",
        "all",
        "be",
        "by",
        "is",
        "are",
        "as",
        "at",
        "from",
        "or",
        "using",
        "via",
        "your",
        "our",
    ]
)
_MOJIBAKE_CODECS = ("mac_roman", "cp1252", "latin-1")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as a single-byte code page (emoji arriving as ``üìã`` or ``âœ…``)."""
    if text.isascii():
        return text
    for codec in _MOJIBAKE_CODECS:
        try:
            fixed = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed != text:
            return fixed
    return text


def clean_title(text: str) -> str:
    """Strip decorative prefixes, bold markers and fill-in blanks; keep inline code and wording."""
    text = _FILL_IN.sub("", text.strip())
    tokens = text.split(" ")
    while tokens and not _is_word(tokens[0]):
        tokens.pop(0)
    text = " ".join(tokens).strip()
    text = _BOLD.sub(r"\1", text)
    return text.rstrip(":").strip()


def _is_word(token: str) -> bool:
    """A token is wording if it has an ASCII letter or digit, or opens code/quotes/brackets."""
    return bool(re.search(r"[A-Za-z0-9]", token)) or token[:1] in "`'\"([*"


@dataclass
class _Entry:
    part: str
    section: str
    heading3: str
    title: str
    style: str
    number: int
    indent: int
    children: list[_Entry] = field(default_factory=list)


def parse(markdown: str) -> tuple[str, list[Item]]:
    """Return the document title and its items in document order (groups before their sub-items)."""
    text = repair_mojibake(markdown)
    doc_title = ""
    part = heading3 = ""
    entries: list[_Entry] = []
    parts_with_groups: set[str] = set()
    last_top: _Entry | None = None
    in_code = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        heading = _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), clean_title(heading.group(2))
            if level == 1:
                doc_title = title
            elif level == 2:
                part, heading3, last_top = title, "", None
            else:
                heading3, last_top = title, None
            continue
        listed = _LIST.match(line)
        if not listed:
            if line.strip() and not line.startswith(" "):
                last_top = None
            continue
        body, marker = listed["body"], listed["marker"]
        style = "numbered" if marker[0].isdigit() else "bullet"
        box = _CHECKBOX.match(body)
        if box:
            body = body[box.end() :]
            style = "numbered" if style == "numbered" else "checkbox"
        elif body.startswith("✅"):
            style = "check-emoji"
        title = clean_title(body)
        if not title:
            continue
        indent = len(listed["indent"].expandtabs(4))
        entry = _Entry(
            part, "", heading3, title, style, int(marker[:-1]) if marker[0].isdigit() else 0, indent
        )
        if indent > 0 and last_top is not None:
            last_top.children.append(entry)
            parts_with_groups.add(part)
        else:
            entries.append(entry)
            last_top = entry
    return doc_title, _to_items(entries, parts_with_groups)


def _to_items(entries: list[_Entry], parts_with_groups: set[str]) -> list[Item]:
    items: list[Item] = []
    used: set[str] = set()
    for entry in entries:
        if entry.part in parts_with_groups or not entry.part:
            section = entry.heading3 or entry.part or "Checklist"
            group = entry.title if entry.children else ""
        else:
            section = entry.part
            group = entry.heading3
        group_id = _unique(
            _make_id(section, group or entry.title, entry.title if not entry.children else ""), used
        )
        items.append(_item(group_id, entry, section, group or "", ""))
        for child in entry.children:
            child_id = _unique(_make_id(section, group or entry.title, child.title), used)
            items.append(_item(child_id, child, section, group or entry.title, group_id))
    return items


def _item(item_id: str, entry: _Entry, section: str, group: str, parent: str) -> Item:
    return Item(
        id=item_id,
        part=entry.part,
        section=section,
        group=group,
        title=entry.title,
        parent=parent,
        severity="medium",
        kind="manual",
        remediation="",
        style=entry.style,
        number=entry.number,
        phase="",
    )


def _code(text: str, words: int, width: int) -> str:
    significant = [w for w in _WORD.findall(text) if w.lower() not in _STOP] or _WORD.findall(text) or ["X"]
    return "-".join(w.upper()[:width] for w in significant[:words])


def _make_id(section: str, group: str, title: str) -> str:
    parts = [_code(section, 1, 6), _code(group, 1, 10)]
    if title:
        parts.append(_code(title, 2, 8))
    return "-".join(parts)


def _unique(candidate: str, used: set[str]) -> str:
    if candidate[0].isdigit():
        candidate = "X" + candidate
    result, n = candidate, 2
    while result in used:
        result, n = f"{candidate}-{n}", n + 1
    used.add(result)
    return result
