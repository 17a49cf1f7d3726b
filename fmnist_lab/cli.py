"""`fmnist-lab`: what the book's chapters need and what is stored, training it, scoring saved
models, the leaderboard, and the data-pipeline bench."""
from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
import warnings
from unittest import mock
from contextlib import contextmanager

from .analysis import leaderboard
from .chapters import analyses
from .engine.checkpoints import CheckpointError, evaluate_checkpoint
from .engine.data import DatasetError
from .engine.pause import PauseFileError
from .report import leaderboard_tables
from .runs import derived, experiments, stopping, studies, summary
from .runs.bench import retrain_throughput, run_bench
from .runs.executors import ExecutorError, LocalWorkers, open_executor
from .runs.store import CorruptResult, Store, StoreError

ENVIRONMENT = """\
environment variables:
  FMNIST_PROFILE     full (default: 3 seeds, every epoch, the committed store book/results) or
                     smoke (2 seeds, 1 000 images, at most 2 epochs, a fresh temporary store
                     removed at exit); --profile overrides it where a command offers it
  FMNIST_STORE       an existing folder to use as the results store instead of the profile's
                     (the smoke profile never uses the committed book/results)
  FMNIST_DATA_DIR    a folder holding the four Fashion-MNIST .gz files (default: the cache
                     ~/.cache/fmnist_lab, then /usr/share/datasets/fashion-mnist, then a download)
  FMNIST_PROGRESS    1 or 0: progress bars on or off (default: on in `run`, elsewhere on a terminal)
  FMNIST_PAUSE_FILE  while this file exists, training waits after its current epoch (frees the
                     CPU; the wait is not counted as training time)
  FMNIST_NO_TRAIN    1: never train; a run missing from the store is an error
  FMNIST_TRAIN_IN_BUILD  1: let `jupyter-book build` train a missing full-profile run (by default
                     it stops with one line naming the run and `fmnist-lab run` to train it first)
"""
EXIT_CODES = """\
exit status:
  0    done
  1    `status` only: some runs the book needs are not stored yet
  2    an error to fix (bad option, environment variable, data, store, checkpoint or scheduler):
       one line on stderr, `error: ...`, says what is wrong, where, and how to fix it
  3    `run` only: some runs failed on their workers; each is listed with its reason, the
       others are saved, and the same command trains what is still missing
  130  interrupted (Ctrl-C, or SIGTERM as `kill PID` sends); runs that finished are kept, worker
       processes are stopped, and the same command resumes
"""
_KEY = re.compile(r"[0-9a-f]{16}")


class UsageError(Exception):
    """A command line that cannot be run as given."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one `error:` line (exit 2) instead of usage text."""

    def error(self, message: str):
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _chapter(name: str) -> str:
    if name not in studies.CHAPTERS:
        raise argparse.ArgumentTypeError(f"unknown chapter {name!r}; choose from {', '.join(studies.CHAPTERS)}")
    return name


def _run_key(text: str) -> str:
    if not _KEY.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a run key (16 hex digits, as `status -v` and the file "
                                         "names in <store>/runs show them)")
    return text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def _address(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty address (an unset shell variable?): give the scheduler's "
                                         "address, tcp://HOST:8786, or leave --scheduler out to train here")
    return text


def _chapter_list() -> str:
    try:
        published = set(studies.book_chapters())
    except Exception:  # an unreadable _toc.yml must not break --help
        published = set(studies.CHAPTERS)
    width = max(map(len, studies.CHAPTERS))
    lines = [f"  {name:<{width}}  {', '.join(s.title for s in chapter_studies)}{'' if name in published else ' (draft)'}"
             for name, chapter_studies in studies.CHAPTERS.items()]
    return "chapters (and their studies):\n" + "\n".join(lines) + "\n"


def current_store() -> Store:
    """The store this command uses, checked: an FMNIST_STORE that does not exist is a mistake."""
    store = experiments.current_store()
    named = os.environ.get("FMNIST_STORE")
    if named and not store.root.exists():
        raise StoreError(f"FMNIST_STORE={named} does not exist: create it (mkdir -p {named}) to start a new store "
                         "there, or unset FMNIST_STORE to use the profile's store")
    store.check_readable()
    return store


def _chapters(selected: list[str] | None) -> list[str]:
    """The named chapters, or by default those the book publishes (drafts only when named)."""
    return selected or studies.book_chapters()


def _missing(chapter: str, store) -> list:
    return experiments.missing(studies.chapter_configs(chapter), store, [c.key() for c in studies.checkpointed_configs(chapter)])

# ---- commands -------------------------------------------------------------------------------------


def cmd_status(args: argparse.Namespace) -> int:
    store = current_store()
    print(f"profile: {experiments.current_profile().name}   store: {store.root}")
    total = 0
    for chapter in _chapters(args.chapter):
        needed = studies.chapter_configs(chapter)
        missing = _missing(chapter, store)
        wanted = analyses.needed(chapter, store)
        absent = derived.missing(store, wanted)
        total += len(missing) + len(absent)
        also = f"   analyses {len(wanted) - len(absent)} / {len(wanted)}" if wanted else ""
        print(f"{chapter:<20} {len(needed) - len(missing):>4} / {len(needed):<4} stored{also}")
        for cfg in missing if args.verbose else []:
            under_way = "  (under way: resumes from its saved state)" if store.partial_path(cfg.key()).is_file() else ""
            print(f"    missing {cfg.key()}  {cfg.label()}{under_way}")
        for analysis in absent if args.verbose else []:
            print(f"    missing {analysis.key()}  analysis {analysis.name}")
    if not args.chapter:
        for chapter in sorted(set(studies.CHAPTERS) - set(studies.book_chapters())):
            done = len(studies.chapter_configs(chapter)) - len(_missing(chapter, store))
            print(f"{chapter:<20} {done:>4} / {len(studies.chapter_configs(chapter)):<4} stored   (draft, not in _toc.yml: not counted)")
    stalled = sorted({cfg.key() for chapter in _chapters(args.chapter) for cfg in studies.chapter_configs(chapter)
                      if (result := store.load(cfg)) is not None and summary.stalled_epochs(result)})
    if stalled:
        print(f"timing: {len(stalled)} stored run(s) have an epoch over 10x their median (a machine stall); "
              f"their results are valid but their wall time is not: fmnist-lab run --force "
              + " ".join(f"--key {key}" for key in stalled))
    print(f"missing runs: {total}")
    return 1 if total else 0


def cmd_run(args: argparse.Namespace) -> int:
    store = current_store()
    plan = [(chapter, studies.chapter_configs(chapter)) for chapter in _chapters(args.chapter)]
    if args.key:  # e.g. retrain runs whose timings were disturbed, without touching the rest
        known = {cfg.key() for _, cfgs in plan for cfg in cfgs}
        unknown = [key for key in args.key if key not in known]
        if unknown:
            where = f"chapter {', '.join(args.chapter)}" if args.chapter else "any chapter of the book"
            raise UsageError(f"no run with key {unknown[0]} in {where} under the {experiments.current_profile().name} "
                             f"profile (keys differ between profiles); `fmnist-lab status -v` lists the missing runs' "
                             f"keys, and {store.root / 'runs'} holds the stored ones")
        plan = [(chapter, [cfg for cfg in cfgs if cfg.key() in args.key]) for chapter, cfgs in plan]
        plan = [(chapter, cfgs) for chapter, cfgs in plan if cfgs]
    progress = None if os.environ.get("FMNIST_PROGRESS") else True
    trained = 0  # by this command, in the batches before the current one
    failures: list = []
    with open_executor(args.workers, args.scheduler) as executor:
        batches = [(chapter, cfgs, [c.key() for c in studies.checkpointed_configs(chapter)]) for chapter, cfgs in plan]
        if isinstance(executor, LocalWorkers):
            print(f"training on {executor.workers} worker processes x {executor.threads} thread(s)")
        elif executor is not None:
            print(f"training on the Dask cluster at {args.scheduler}")
        if executor is not None:
            batches = _one_batch(batches, store)
        try:
            for n, (name, cfgs, checkpoint_keys) in enumerate(batches):
                print(f"== {name}")
                todo = len(cfgs) if args.force else len(experiments.missing(cfgs, store, checkpoint_keys))
                try:
                    experiments.ensure(cfgs, store, force=args.force, progress=progress,
                                       checkpoint_keys=checkpoint_keys, executor=executor)
                except experiments.Interrupted as stop:
                    later = [cfg for _, batch_cfgs, _ in batches[n + 1:] for cfg in batch_cfgs]
                    print(_resume_line(args, store, trained + stop.trained, stop.remaining + later), file=sys.stderr)
                    return 130
                except experiments.RunsFailed as failed:  # the other runs are saved: go on
                    failures += failed.failures
                    trained += failed.trained
                    continue
                trained += todo
        finally:  # also before an error in a later batch (a teacher that failed, say)
            if failures:
                print(_failure_report(args, store, failures), file=sys.stderr)
    for chapter in [] if args.key or failures else [chapter for chapter, _ in plan]:  # what its pages read
        analyses.compute_missing(chapter, store, force=args.force)
    return 3 if failures else 0


def _one_batch(batches: list, store: Store) -> list:
    """The chapters' runs as one batch, so that workers never wait for a chapter's last run before
    starting the next chapter's; taught runs whose teacher is not stored yet form a second batch,
    trained once the first has saved the teacher."""
    if len(batches) < 2:
        return batches
    name = ", ".join(chapter for chapter, _, _ in batches)
    cfgs = list({cfg.key(): cfg for _, chapter_cfgs, _ in batches for cfg in chapter_cfgs}.values())
    checkpoint_keys = sorted({key for _, _, keys in batches for key in keys})
    later = [cfg for cfg in cfgs if cfg.teacher and not experiments.teacher_stored(cfg, store)]
    first = [cfg for cfg in cfgs if cfg not in later]
    return [(name, first, checkpoint_keys)] + ([(f"{name}: runs taught by the runs above", later, checkpoint_keys)]
                                               if later else [])


def _failure_report(args: argparse.Namespace, store: Store, failures: list) -> str:
    return stopping.failure_report(args, store.root, failures)


def _resume_line(args: argparse.Namespace, store: Store, trained: int, remaining: list) -> str:
    return stopping.resume_line(args, store.root, trained, remaining)


def cmd_evaluate(args: argparse.Namespace) -> int:

    accuracy, cfg = evaluate_checkpoint(args.checkpoint)
    print(f"model: {cfg.label()}")
    print(f"test accuracy: {accuracy:.2%}")
    return 0


def cmd_leaderboard(args: argparse.Namespace) -> int:

    store = current_store()
    rows = leaderboard.all_entries(store)
    lines = leaderboard_tables.table(rows)  # ranked within each family on validation, as chapter 10 shows it
    widths = {k: max(len(k), *(len(r[k]) for r in lines)) for k in lines[0]}
    print("  ".join(k.ljust(w) for k, w in widths.items()).rstrip())
    for r in lines:
        print("  ".join(r[k].ljust(w) for k, w in widths.items()).rstrip())
    print(leaderboard_tables.headline(rows, store))  # the book's best MLP, and a near tie said as the pages say it
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    # each option belongs to one of the two benches: one given to the other is refused, not ignored
    if args.retrain and (args.repeats or args.augmented):
        option = "--repeats" if args.repeats else "--augmented"
        raise UsageError(f"{option} does not apply to `bench --retrain`, which retrains the chapter's runs once per "
                         f"setting and times no epochs: drop {option}, or drop --retrain to time epochs")
    if args.retrain:
        retrain_throughput(args.retrain, workers=args.workers or 2)
        return 0
    if args.workers:
        raise UsageError("--workers applies only to `bench --retrain CHAPTER` (the epoch bench runs in this "
                         "process): drop --workers, or add --retrain CHAPTER to time retraining on workers")
    run_bench(repeats=args.repeats or 3, augmented=args.augmented, path=current_store().root / "bench.json")
    return 0

# ---- the parser -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fmnist-lab", description=__doc__, epilog=ENVIRONMENT + "\n" + EXIT_CODES,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, description: str, chapters: bool = False) -> argparse.ArgumentParser:
        epilog = (_chapter_list() + "\n" if chapters else "") + ENVIRONMENT + "\n" + EXIT_CODES
        return sub.add_parser(name, help=summary, description=textwrap.fill(description, 88), epilog=epilog,
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    def profile_option(p: argparse.ArgumentParser, what: str) -> None:
        p.add_argument("--profile", choices=sorted(experiments.PROFILES),
                       help=f"full or smoke (overrides FMNIST_PROFILE): {what}")

    p = command("status", "what the book's chapters need vs what is stored (exit 1 if runs are missing)",
                "Count, per chapter, the runs the book needs (training runs and scikit-learn fits) and how many "
                "the store holds; name stored runs whose wall time includes a machine stall. Reads only.",
                chapters=True)
    p.add_argument("--chapter", action="append", type=_chapter, metavar="CHAPTER",
                   help="count only this chapter (repeatable; drafts are counted only when named)")
    p.add_argument("-v", "--verbose", action="store_true", help="list each missing run's key and settings")
    profile_option(p, "which runs are needed and which store is read")
    p.set_defaults(func=cmd_status)

    p = command("run", "train what the book needs and is not stored yet (drafts: name them with --chapter)",
                "Train every run the chosen chapters need that the store lacks (and fit their scikit-learn "
                "classifiers, one thread each), saving each as it finishes (an interrupted run resumes where it "
                "stopped). The store is checked for writing before anything trains.", chapters=True)
    p.add_argument("--chapter", action="append", type=_chapter, metavar="CHAPTER",
                   help="train only this chapter's runs (repeatable; default: every chapter in _toc.yml)")
    profile_option(p, "how long the runs are and which store they are saved in")
    p.add_argument("--force", action="store_true", help="retrain runs from their first epoch even when the store holds them (replacing them)")
    p.add_argument("--key", action="append", type=_run_key, metavar="KEY",
                   help="only the run with this key (repeatable; `status -v` lists the keys of missing runs)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive, metavar="N",
                       help="train on N worker processes on this machine, each with cores/N threads; more "
                            "than the cores are capped, with a warning (default: one run at a time in this process)")
    where.add_argument("--scheduler", type=_address, metavar="ADDRESS",
                       help="train on the workers of a running Dask cluster, e.g. tcp://HOST:8786 "
                            "(`dask scheduler` + `dask worker ADDRESS`; see README, Retrain at scale)")
    p.set_defaults(func=cmd_run)

    p = command("evaluate", "test accuracy of a saved checkpoint",
                "Load a checkpoint safely (tensors only), check that its weights, configuration, file name "
                "and engine version agree, and recompute its test accuracy from the weights.")
    p.add_argument("checkpoint", help="path of a .pt file, e.g. book/results/checkpoints/<run key>.pt")
    p.set_defaults(func=cmd_evaluate)

    p = command("leaderboard", "each chapter's selected configuration (val, test) beside earlier reports",
                "Per chapter and family (MLP, MLP taught by a CNN, CNN), the configuration with the best mean "
                "validation accuracy, its test accuracy, and the numbers earlier reports published; then each "
                "classical classifier's choice on validation (scikit-learn, chapter 2) and the probability "
                "average of the stacked MLP's seeds (chapter 10's recipe; its accuracy and calibration, once every seed's checkpoint is "
                "stored). Chapters with runs missing from the store are left out. Nothing is trained.")
    profile_option(p, "which runs are read, and from which store")
    p.set_defaults(func=cmd_leaderboard)

    p = command("bench", "time this engine against the classic DataLoader pipeline",
                "Time one training epoch of the reference MLP in this engine, in the classic torchvision "
                "DataLoader pipeline, and as bare compute; print the medians and save them as bench.json in "
                "the store (the committed book/results only in the full profile without FMNIST_STORE). A save "
                "that would drop rows the file holds is refused before timing.")
    p.add_argument("--repeats", type=_positive, metavar="N",
                   help="timed epochs per pipeline; the median is reported (default 3; not with --retrain)")
    p.add_argument("--augmented", action="store_true",
                   help="also time rotation + flip augmentation (chapter 8 reads these rows; not with --retrain)")
    p.add_argument("--retrain", type=_chapter, metavar="CHAPTER",
                   help="instead: retrain this chapter's runs into temporary stores, in one process and on "
                        "--workers processes, and print runs per hour of each (saves nothing)")
    p.add_argument("--workers", type=_positive, metavar="N",
                   help="worker processes for --retrain (default 2; more than the cores are capped, with a warning)")
    profile_option(p, "which store bench.json is saved in (smoke: a temporary folder)")
    p.set_defaults(func=cmd_bench)
    return parser


# ---- running a command: one line per error or warning ---------------------------------------------
ERRORS = (UsageError, experiments.SettingError, experiments.NotTrained, DatasetError, StoreError, CheckpointError,
          ExecutorError, CorruptResult, PauseFileError)


@contextmanager
def _one_line_warnings():
    """Warnings as `warning: ...` lines on stderr, each text once, without Python source lines."""
    seen: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None):
        text = " ".join(str(message).split())
        if text not in seen:
            seen.add(text)
            print(f"warning: {text}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    with _one_line_warnings(), stopping.sigterm_as_ctrl_c():
        try:
            args = build_parser().parse_args(argv)
            args.argv = argv
            profile = getattr(args, "profile", None)  # --profile: FMNIST_PROFILE for this command only
            with mock.patch.dict(os.environ, {"FMNIST_PROFILE": profile} if profile else {}):
                experiments.check_environment()
                return args.func(args)
        except ERRORS as exc:
            print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print(f"interrupted ({stopping.cause()}); nothing was being written, so nothing is lost", file=sys.stderr)
            return 130


if __name__ == "__main__":
    sys.exit(main())
