"""`fmnist-lab` command line: status | run | evaluate | leaderboard | bench."""
from __future__ import annotations

import argparse
import sys

from . import experiments, studies


def _chapters(selected: list[str] | None) -> list[str]:
    """The named chapters, or by default those the book publishes (drafts only when named)."""
    for name in selected or []:
        if name not in studies.CHAPTERS:
            sys.exit(f"unknown chapter {name!r}; choose from {', '.join(studies.CHAPTERS)}")
    return selected or studies.book_chapters()


def _missing(chapter: str, store) -> list:
    return experiments.missing(studies.chapter_configs(chapter), store,
                               [c.key() for c in studies.checkpointed_configs(chapter)])


def cmd_status(args: argparse.Namespace) -> int:
    store = experiments.current_store()
    print(f"profile: {experiments.current_profile().name}   store: {store.root}")
    total = 0
    for chapter in _chapters(args.chapter):
        needed = studies.chapter_configs(chapter)
        missing = _missing(chapter, store)
        total += len(missing)
        print(f"{chapter:<16} {len(needed) - len(missing):>4} / {len(needed):<4} stored")
        for cfg in missing if args.verbose else []:
            print(f"    missing {cfg.key()}  {cfg.label()}")
    if not args.chapter:
        for chapter in sorted(set(studies.CHAPTERS) - set(studies.book_chapters())):
            done = len(studies.chapter_configs(chapter)) - len(_missing(chapter, store))
            print(f"{chapter:<16} {done:>4} / {len(studies.chapter_configs(chapter)):<4} stored   (draft, not in _toc.yml: not counted)")
    stalled = sorted({cfg.key() for chapter in _chapters(args.chapter) for cfg in studies.chapter_configs(chapter)
                      if (result := store.load(cfg)) is not None and experiments.stalled_epochs(result)})
    if stalled:
        print(f"timing: {len(stalled)} stored run(s) have an epoch over 10x their median (a machine stall); "
              f"their results are valid but their wall time is not: fmnist-lab run --force "
              + " ".join(f"--key {key}" for key in stalled))
    print(f"missing runs: {total}")
    return 1 if total else 0


def cmd_run(args: argparse.Namespace) -> int:
    store = experiments.current_store()
    for chapter in _chapters(args.chapter):
        cfgs = studies.chapter_configs(chapter)
        if args.key:  # e.g. retrain runs whose timings were disturbed, without touching the rest
            cfgs = [cfg for cfg in cfgs if cfg.key() in args.key]
        print(f"== {chapter}")
        experiments.ensure(cfgs, store, force=args.force, progress=True,
                           checkpoint_keys=[c.key() for c in studies.checkpointed_configs(chapter)])
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .checkpoints import evaluate_checkpoint

    accuracy, cfg = evaluate_checkpoint(args.checkpoint)
    print(f"model: {cfg.label()}")
    print(f"test accuracy: {accuracy:.4f}")
    return 0


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from . import leaderboard

    rows = leaderboard.entries()
    lines = leaderboard.table(rows)
    widths = {k: max(len(k), *(len(r[k]) for r in lines)) for k in lines[0]}
    print("  ".join(k.ljust(w) for k, w in widths.items()))
    for r in lines:
        print("  ".join(r[k].ljust(w) for k, w in widths.items()))
    print(leaderboard.headline(rows))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import run_bench

    run_bench(repeats=args.repeats, augmented=args.augmented)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fmnist-lab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("status", help="what the book's chapters need vs what is stored (exit 1 if runs are missing)")
    p.add_argument("--chapter", action="append", help="limit to a chapter (repeatable)")
    p.add_argument("-v", "--verbose", action="store_true", help="list the missing runs")
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("run", help="train what the book needs and is not stored yet (drafts: name them with --chapter)")
    p.add_argument("--chapter", action="append", help="limit to a chapter (repeatable)")
    p.add_argument("--profile", choices=sorted(experiments.PROFILES), help="full (default) or smoke")
    p.add_argument("--force", action="store_true", help="retrain even runs found in the store")
    p.add_argument("--key", action="append", help="only the run with this key (repeatable; see `status -v` or the file names)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("evaluate", help="test accuracy of a saved checkpoint")
    p.add_argument("checkpoint")
    p.set_defaults(func=cmd_evaluate)
    p = sub.add_parser("leaderboard", help="each chapter's selected configuration (val, test) beside earlier reports")
    p.set_defaults(func=cmd_leaderboard)
    p = sub.add_parser("bench", help="time this engine against the classic DataLoader pipeline")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--augmented", action="store_true", help="also time rotation+flip augmentation")
    p.set_defaults(func=cmd_bench)
    for p in sub.choices.values():
        if "profile" not in {a.dest for a in p._actions}:
            p.add_argument("--profile", choices=sorted(experiments.PROFILES), help="full (default) or smoke")
    args = parser.parse_args(argv)
    if args.profile:
        import os
        os.environ["FMNIST_PROFILE"] = args.profile
    from .data import DatasetError

    try:
        return args.func(args)
    except DatasetError as exc:  # a data problem is the user's to fix: the message, not a traceback
        print(f"fmnist-lab: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
