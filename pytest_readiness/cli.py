"""The ``readiness`` console script: run, init, catalog import/list, drift between two runs, the demo."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pytest_readiness import catalog as catalog_mod
from pytest_readiness.catalog_import import parse
from pytest_readiness.errors import ConfigError

LIST_FIELDS = ("id", "section", "group", "title", "severity", "kind")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("demo", "run"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.pytest_args = extra  # `readiness demo -n 2 -k redis`: the rest goes to pytest
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"readiness: configuration error: {exc}", file=sys.stderr)
        return 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="readiness", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="run the shipped suites: pytest --pyargs pytest_readiness.suites [pytest args, e.g. --env prod]",
    )
    run.set_defaults(func=_run)

    init = sub.add_parser("init", help="scaffold a readiness repository (environments/, conftest.py, ...)")
    init.add_argument("dir", nargs="?", type=Path, default=Path("."), help="folder (default: here)")
    init.set_defaults(func=_init)

    checklist = sub.add_parser("checklist", help="work with checklist catalogs")
    csub = checklist.add_subparsers(dest="checklist_command", required=True)
    imp = csub.add_parser("import", help="turn a Markdown checklist into a catalog TOML file")
    imp.add_argument("markdown", type=Path)
    imp.add_argument("-o", "--output", type=Path, help="catalog file to write (default: stdout)")
    imp.set_defaults(func=_import)
    lst = csub.add_parser("list", help="print the active catalog")
    lst.add_argument("--catalog", type=Path, help="catalog TOML (default: the packaged catalog)")
    lst.add_argument("--format", choices=("json", "table"), default="table")
    lst.set_defaults(func=_list)

    diff = sub.add_parser("diff", help="compare two readiness.json files (drift)")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.add_argument("--fail-on-drift", action="store_true", help="exit 1 on regressions")
    diff.set_defaults(func=_diff)

    demo = sub.add_parser(
        "demo", help="start the local demo services and check them (pytest --env=demo suites/)"
    )
    demo.set_defaults(func=_demo)
    return parser


def _run(args: argparse.Namespace) -> int:
    import subprocess

    from pytest_readiness import packaged

    command, env = packaged.pytest_command(list(args.pytest_args))
    return subprocess.call(command, env=env)


def _init(args: argparse.Namespace) -> int:
    from pytest_readiness.scaffold import init

    for path, written in init(args.dir):
        print(f"{'wrote' if written else 'kept '} {path}")
    print("next: uncomment your targets in environments/prod.toml, then: readiness run --env prod")
    return 0


def _import(args: argparse.Namespace) -> int:
    try:
        text = args.markdown.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ConfigError(str(args.markdown), "", f"cannot read: {exc.strerror}") from None
    title, items = parse(text)
    if not items:
        raise ConfigError(
            str(args.markdown), "", "no checklist items found (expected '- [ ]' or '1. [ ]' lines)"
        )
    out = catalog_mod.dump(title or args.markdown.stem, args.markdown.name, items)
    if args.output:
        from pytest_readiness.reporters import write_atomic

        write_atomic(args.output, out)
        print(f"wrote {len(items)} items to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(out)
    return 0


def _list(args: argparse.Namespace) -> int:
    catalog = catalog_mod.load(args.catalog)
    rows = [{key: item[key] for key in LIST_FIELDS} for item in catalog]  # type: ignore[literal-required]
    if args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        width = max(len(r["id"]) for r in rows)
        for row in rows:
            print(f"{row['id']:<{width}}  {row['severity']:<8}  {row['kind']:<11}  {row['title']}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from pytest_readiness import drift

    return int(drift.main_diff(args.old, args.new, args.fail_on_drift))


def _demo(args: argparse.Namespace) -> int:
    from pytest_readiness.demo import run_demo

    return run_demo(list(args.pytest_args))


if __name__ == "__main__":
    raise SystemExit(main())
