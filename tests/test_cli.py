"""The command line (fmnist_lab.cli): status, run, evaluate and leaderboard on small stores, drafts,
stalls, and scikit-learn fits counted, fitted and refused."""
import pytest

from fakes import tiny_study  # noqa: F401  (fixtures)

from fmnist_lab import cli
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.engine.train import train
from fmnist_lab.runs import experiments, studies, summary
from fmnist_lab.runs.store import Store


def test_status_reports_missing_runs_and_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    needed = len(studies.chapter_configs("02_baseline"))  # its runs over the active profile's seeds, and its scikit-learn fits
    assert {type(cfg).__name__ for cfg in studies.chapter_configs("02_baseline")} == {"RunConfig", "EstimatorConfig"}
    assert cli.main(["status", "--chapter", "02_baseline"]) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"missing runs: {needed}"


def test_run_then_status_is_complete(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setenv("FMNIST_PROGRESS", "0")
    assert cli.main(["run", "--profile", "smoke", "--chapter", "02_baseline"]) == 0
    assert cli.main(["status", "--profile", "smoke", "--chapter", "02_baseline"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "missing runs: 0"
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")  # --profile lasts for its command only
    checkpoint = Store(tmp_path).checkpoint_path(studies.checkpointed_configs("02_baseline")[0].key())
    assert checkpoint.exists()


def test_evaluate_reproduces_the_stored_accuracy(tmp_path, capsys):
    cfg = RunConfig(hidden=(32,), train_size=1000, epochs=1)
    result, model = train(cfg, progress=False)
    path = Store(tmp_path).save_checkpoint(cfg, model)
    assert cli.main(["evaluate", str(path)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"test accuracy: {result['test']['acc']:.2%}"


def test_evaluate_missing_checkpoint_says_where_they_come_from(tmp_path, capsys):
    assert cli.main(["evaluate", str(tmp_path / "nope.pt")]) == 2
    assert "fmnist-lab run" in capsys.readouterr().err


def test_unknown_chapter_is_a_clear_error(capsys):
    assert cli.main(["status", "--chapter", "99_x"]) == 2
    assert "unknown chapter '99_x'" in capsys.readouterr().err


def test_missing_dataset_is_a_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FMNIST_DATA_DIR", str(tmp_path))  # an empty folder
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path / "store"))
    monkeypatch.setattr(studies, "chapter_configs", lambda chapter: [RunConfig(hidden=(8,), train_size=100, epochs=1)])
    assert cli.main(["run", "--chapter", "02_baseline"]) == 2
    err = capsys.readouterr().err
    assert "lacks train-images-idx3-ubyte.gz" in err and "apt-get install -y dataset-fashion-mnist" in err


def test_chapters_missing_from_the_toc_are_drafts(tmp_path, monkeypatch, capsys):
    toc = tmp_path / "_toc.yml"
    toc.write_text("format: jb-book\nroot: intro\nchapters:\n  - file: 02_baseline\n")
    monkeypatch.setattr(studies, "TOC", toc)
    (tmp_path / "store").mkdir()
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path / "store"))
    assert studies.book_chapters() == ["02_baseline"]
    cli.main(["status"])
    out = capsys.readouterr().out
    assert f"missing runs: {len(studies.chapter_configs('02_baseline'))}" in out
    assert "01_dataset" in out and "draft" in out


def test_run_with_key_trains_only_that_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    monkeypatch.setenv("FMNIST_PROGRESS", "0")
    needed = studies.chapter_configs("02_baseline")
    assert cli.main(["run", "--chapter", "02_baseline", "--key", needed[1].key()]) == 0
    assert [p.stem for p in (tmp_path / "runs").glob("*.json")] == [needed[1].key()]


def test_leaderboard_selects_on_validation_and_ends_with_the_headline(tmp_path, monkeypatch, capsys):

    from fmnist_lab.report import pct

    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    small = RunConfig(hidden=(16,), train_size=500, epochs=1)
    groups = {"narrow": [small.replace(seed=s) for s in (0, 1)],
              "wide": [small.replace(hidden=(64,), seed=s) for s in (0, 1)],
              "lenet": [small.replace(model="lenet", channels=(2, 4), seed=s) for s in (0, 1)]}
    # A taught MLP is kept out of "best MLP" even when it validates best (here it is trained
    # longer, on the soft targets of a teacher that saw ten times more images).
    teacher = RunConfig(hidden=(64,), train_size=5000, epochs=2)
    Store(tmp_path).save_checkpoint(teacher, train(teacher, progress=False)[1])
    monkeypatch.setattr("fmnist_lab.runs.store.Store", lambda *a: Store(tmp_path))
    taught = small.replace(hidden=(64,), epochs=4, teacher=teacher.key(), distill_weight=1.0, distill_temperature=1.0)
    groups["taught"] = [taught.replace(seed=s) for s in (0, 1)]
    # A refit run trains on the validation images, so its validation score would win unfairly.
    groups["refit"] = [small.replace(hidden=(64,), train_size=6000, refit=True, early_stopping="none", seed=s) for s in (0, 1)]

    from fmnist_lab.runs.study import Study

    toy_study = Study("toy", "98_toy", "toy", {name: cfgs[0] for name, cfgs in groups.items()})
    unfinished_study = Study("unfinished", "99_unfinished", "unfinished", {"never trained": small.replace(seed=9)})
    monkeypatch.setattr(Study, "configs", lambda self, profile=None: (
        groups if self is toy_study else {label: [cfg] for label, cfg in self.groups.items()}))
    monkeypatch.setattr(studies, "CHAPTERS", {"98_toy": [toy_study], "99_unfinished": [unfinished_study]})
    runs = {name: experiments.ensure(cfgs, progress=False, quiet=True) for name, cfgs in groups.items()}
    best_mlp = summary.select({k: runs[k] for k in ("narrow", "wide")})
    mlp = summary.summarize(runs[best_mlp])
    cnn = summary.summarize(runs["lenet"])
    assert min(summary.summarize(runs[k])["val_mean"] for k in ("taught", "refit")) > mlp["val_mean"]
    assert cli.main(["leaderboard"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-4:] == [f"MLP picked on validation: {best_mlp} (chapter 98),", f"  test {pct(mlp['test_mean'])}% ± {pct(mlp['test_std'])}%",
                          "CNN picked on validation: lenet (chapter 98),", f"  test {pct(cnn['test_mean'])}% ± {pct(cnn['test_std'])}%"]
    assert any(line.startswith("MLP taught by a CNN") and "toy: taught" in line for line in lines)
    assert not any("refit" in line for line in lines)
    assert not any("99_unfinished" in line for line in lines)  # incomplete chapters are left out
    assert any("Report C" in line for line in lines)  # earlier claims are listed beside ours


def test_leaderboard_headline_says_when_the_best_mlp_is_a_near_tie(tmp_path, monkeypatch, capsys):
    """The pick stays the validation pick; the headline says that validation cannot tell it from the
    runner-up, as the book's pages do (nothing trained: stored-result-shaped runs)."""
    from fakes import gain_run

    from fmnist_lab.analysis import leaderboard
    from fmnist_lab.analysis.leaderboard import Entry
    from fmnist_lab.report import leaderboard_tables

    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    B, T = studies.BEST, studies.TRICKS
    recipe = [gain_run(s, 0.906, val=0.9150 + 0.001 * (s == 1)) for s in range(3)]
    ema = [gain_run(s, 0.905, val=0.9152 + 0.001 * (s == 2)) for s in range(3)]
    runs = {(B, studies.STACKED_MLP_LABEL): recipe, (T, studies.EMA): ema}
    rows = [Entry("10_best", "MLP", B, studies.STACKED_MLP_LABEL, summary.summarize(recipe)),
            Entry("11_ceiling", "MLP", T, studies.EMA, summary.summarize(ema))]
    monkeypatch.setattr(leaderboard, "all_entries", lambda store=None: rows)
    monkeypatch.setattr(leaderboard_tables, "best_mlp", lambda rows, store=None: leaderboard.best_mlp(rows, store, runs))
    assert cli.main(["leaderboard"]) == 0
    mlp, test, tie, lead, cnn = capsys.readouterr().out.strip().splitlines()[-5:]
    assert (mlp, test) == (f"MLP picked on validation: {studies.EMA} (chapter 11),", "  test 90.50% ± 0.00%")
    assert tie == f"  tied on validation with {studies.STACKED_MLP_LABEL} (chapter 10), named by the higher mean:"
    assert lead.startswith("  lead +0.02 points, paired 95% interval \u2212")  # the interval spans zero
    assert cnn == "CNN picked on validation: not trained"


def test_status_names_runs_whose_wall_time_includes_a_stall(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    monkeypatch.setenv("FMNIST_PROGRESS", "0")
    monkeypatch.setitem(studies.CHAPTERS, "02_baseline", [studies.BASELINE_STUDY])  # the training run is what stalls: no fits
    assert cli.main(["run", "--chapter", "02_baseline"]) == 0
    store = Store(tmp_path)
    cfg = studies.chapter_configs("02_baseline")[0]
    result = store.load(cfg)
    result["history"] = {k: v * 4 for k, v in result["history"].items()}  # smoke runs are 1-2 epochs
    result["epochs_run"] = len(result["history"]["epoch"])
    result["history"]["seconds"][-1] += 600.0
    store.save(result)
    capsys.readouterr()
    assert cli.main(["status", "--chapter", "02_baseline"]) == 0  # results still valid
    timing = [line for line in capsys.readouterr().out.splitlines() if line.startswith("timing:")]
    assert len(timing) == 1 and f"--key {cfg.key()}" in timing[0]


def test_committed_runs_have_honest_wall_times(monkeypatch, capsys):
    """The book states each chapter's compute from provenance: a stalled epoch would inflate it."""
    monkeypatch.delenv("FMNIST_STORE", raising=False)
    monkeypatch.setenv("FMNIST_PROFILE", "full")
    assert cli.main(["status"]) == 0
    assert not [line for line in capsys.readouterr().out.splitlines() if line.startswith("timing:")]


def test_status_counts_a_missing_fit_run_fits_it_and_no_train_refuses(tiny_study, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    monkeypatch.setenv("FMNIST_PROGRESS", "0")
    fits = studies.chapter_configs("02_baseline")  # only the tiny fits: seconds, not minutes
    first = fits[0]
    assert cli.main(["status", "--chapter", "02_baseline", "-v"]) == 1
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == "missing runs: 2" and f"missing {first.key()}  knn" in out
    monkeypatch.setenv("FMNIST_NO_TRAIN", "1")
    with pytest.raises(experiments.NotTrained, match=first.key()):
        studies.load("02_baseline", quiet=True)
    monkeypatch.delenv("FMNIST_NO_TRAIN")
    assert cli.main(["run", "--chapter", "02_baseline"]) == 0
    assert cli.main(["run", "--chapter", "02_baseline"]) == 0
    assert "2 of 2 runs found in store, skipping training." in capsys.readouterr().out
    assert cli.main(["status", "--chapter", "02_baseline"]) == 0
    assert Store(tmp_path).keys() == {cfg.key() for cfg in fits}


def test_status_counts_a_missing_stored_analysis_and_run_computes_it_once(tmp_path, monkeypatch, capsys):
    from fmnist_lab.chapters import analyses
    from fmnist_lab.runs import derived

    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setenv("FMNIST_PROGRESS", "0")
    monkeypatch.setattr(studies, "chapter_configs", lambda chapter: [])  # no training: only the analysis
    calls = []
    demo = derived.Analysis("demo", 1, {}, ("run=abc",), lambda: calls.append(1) or {"value": 1.5}, chapter="02_baseline")
    monkeypatch.setattr(analyses, "NEEDED", {"02_baseline": lambda store: [demo]})
    assert cli.main(["status", "--chapter", "02_baseline", "-v"]) == 1
    out = capsys.readouterr().out
    assert f"missing {demo.key()}  analysis demo" in out and out.strip().splitlines()[-1] == "missing runs: 1"
    assert cli.main(["run", "--chapter", "02_baseline"]) == 0 and calls == [1]
    assert cli.main(["status", "--chapter", "02_baseline"]) == 0 and "analyses 1 / 1" in capsys.readouterr().out
    assert cli.main(["run", "--chapter", "02_baseline"]) == 0 and calls == [1]  # stored: not computed again
    (tmp_path / derived.FOLDER / f"{demo.key()}.json").unlink()  # deleted: listed and computed again
    assert cli.main(["status", "--chapter", "02_baseline"]) == 1
    assert cli.main(["run", "--chapter", "02_baseline"]) == 0 and calls == [1, 1]
