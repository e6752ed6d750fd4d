"""Headless command line. Knows service/ (and the sandbox runner) only."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mobius-tui", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sandbox = sub.add_parser("sandbox", help="run the sandbox servers on loopback until interrupted")
    sandbox.add_argument("--json", action="store_true", help="print one JSON line with URLs and demo credentials")
    sandbox.add_argument("--size", type=int, default=None, help="number of invoices in the generated dataset")
    sandbox.add_argument("--seed", type=int, default=None, help="dataset seed")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "sandbox":
        from mobius_tui.sandbox.runner import run_forever

        return run_forever(json_output=args.json, size=args.size, seed=args.seed)
    build_parser().print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
