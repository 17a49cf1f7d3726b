"""Chapter 12's findings (beyond accuracy: calibration, ensembles, learned features): what the page glues and the claims it checks."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from .. import report
from ..analysis import calibration, features, leaderboard, metrics
from ..analysis import predictions as predict
from ..analysis import saved_calibration
from ..engine import config
from ..engine import data as fdata
from ..engine.checkpoints import load_checkpoint
from ..report import calibration_tables
from ..runs import derived, experiments, studies
from ..runs.derived import Analysis
from ..runs.store import Store
from ..runs.study import ChapterResults
from . import claims, findings, takeaways
from .claims import claim

STACKED = studies.STACKED_MLP_LABEL  # chapter 10's recipe, read here as saved in chapter 11's study
# A reader's name -> (prefix of its glued numbers, study, group) of the saved networks read here.
GROUPS = {
    "reference MLP": ("ref", studies.ACTIVATION, studies.ACTIVATION.label_of(config.REFERENCE)),
    "2 × 512, no smoothing": ("ls0", studies.CALIBRATION, studies.CALIBRATION.label(label_smoothing=0.0)),
    "2 × 512, label smoothing 0.1": ("ls1", studies.CALIBRATION, studies.CALIBRATION.label(label_smoothing=0.1)),
    STACKED: ("bmlp", studies.TRICKS, STACKED),
    "best CNN": ("bcnn", studies.BEST, studies.BEST_CNN_LABEL),
    "1 × 128 baseline": ("base", studies.BASELINE_STUDY, studies.BASELINE_LABEL),
}
CALIBRATED = list(GROUPS)[:5]  # the baseline's weights are read for its first layer only
MAPPED = ((f"{STACKED}, last hidden layer", STACKED), ("best CNN, penultimate layer", "best CNN"))  # t-SNE: name, group


def saved_keys(store: Store) -> dict[str, list[str]]:
    """Per group, the run keys of the profile's seeds whose weights are in `store` (nothing is trained)."""
    return {name: [cfg.key() for cfg in study.configs()[label] if store.checkpoint_path(cfg.key()).is_file()]
            for name, (_, study, label) in GROUPS.items()}


def ensemble_name(saved: dict[str, list[str]]) -> str:
    return f"{STACKED}, average of {report.plural(len(saved[STACKED]), 'seed')}"


def stored_analyses(store: Store, saved: dict[str, list[str]] | None = None) -> list[Analysis]:
    """The page's two stored analyses: calibration of the saved networks (and of the stacked MLP's seed
    ensemble), and the t-SNE maps of pixels and of the two best networks' features. Raises
    FileNotFoundError while a group has no saved weights."""
    saved = saved or saved_keys(store)
    if not all(saved.values()):
        raise FileNotFoundError(f"no saved weights yet for {', '.join(n for n, keys in saved.items() if not keys)}")
    return [saved_calibration.analysis({name: saved[name] for name in CALIBRATED}, STACKED, ensemble_name(saved), store),
            features.maps_analysis({name: store.checkpoint_path(saved[group][0]) for name, group in MAPPED})]


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`);
    `check(facts)` then tests the claims that rest on them."""
    store = experiments.current_store()
    root = str(store.root)
    report.glue_compute("ch12", ch.all_runs())
    replication = takeaways.smoothing_replication(ch)  # chapter 4's label-smoothing pair, retrained: its test gain
    report.glue_numbers(**replication)
    runs = {name: predict.runs_with_weights(study, label, store) for name, (_, study, label) in GROUPS.items()}
    saved = saved_keys(store)  # the seeds whose weights are stored
    y_val, y_test = predict.labels("val"), predict.labels("test")
    ENSEMBLE = ensemble_name(saved)
    calibrated, learned = (derived.ensure(store, analysis) for analysis in stored_analyses(store, saved))
    scored = calibrated
    assessed = scored["assessed"]
    prefixes = {**{name: prefix for name, (prefix, _, _) in GROUPS.items()}, ENSEMBLE: "ens"}
    report.glue_numbers(**{f"{prefixes[name]}_{k}": v for name, s in assessed.items() for k, v in s.items()})
    ls_ece = [{"ece_mean": assessed[name]["ece_scaled"], "ece_std": assessed[name]["ece_scaled_std"], "seeds": len(saved[name])}
              for name in ("2 × 512, label smoothing 0.1", "2 × 512, no smoothing")]  # seed means only: Welch's interval
    report.glue_markdown(ece_scaled_verdict=report.verdict(*ls_ece, split="ece"))
    report.glue_table("tab_calibration", calibration_tables.table(assessed))
    report.glue_table("tab_overconfidence", calibration_tables.overconfidence_table(assessed));
    curves = pd.DataFrame(scored["curves"])
    ref, ls0, ls1, bmlp, bcnn = (assessed[name] for name in CALIBRATED)
    READ_AS = dict(zip(CALIBRATED, ("the reference MLP", "the 2 × 512 network without smoothing", "the 2 × 512 network with smoothing", "the stacked MLP", "the best CNN")))
    report.glue_markdown(saved_seeds=calibration_tables.seeds_phrase({READ_AS[name]: [r["config"]["seed"] for r in runs[name] if r["key"] in saved[name]]
                                                               for name in CALIBRATED}))
    SMOOTHED = ("2 × 512, label smoothing 0.1", STACKED)  # the MLPs trained with label smoothing, seed 0 in the figure
    middle = calibration.gaps(curves, low=0.5, high=0.9)  # the bins between 50% and 90% confidence, as drawn
    middle = middle[(middle["scaling"] == calibration.AFTER) & middle["model"].isin(SMOOTHED)]["gap"]
    top_share = calibration.top_bin_share(curves)[[(name, calibration.AFTER) for name in SMOOTHED]]
    report.glue_numbers(middle_gap_min=middle.min(), middle_gap_max=middle.max(), top_share_min=top_share.min(), top_edge=1 - 1 / calibration.BINS)
    report.glue_numbers(**{f"{prefixes[name]}_miss": abs(100 * s["overconfidence"]) for name, s in assessed.items()},
                        ece_scaled_min=min(s["ece_scaled"] for s in assessed.values()), ece_scaled_max=max(s["ece_scaled"] for s in assessed.values()))
    report.glue_signed(**{f"{prefixes[name]}_{k}_pts": 100 * s[k] for name, s in assessed.items()  # signed text, in points
                          for k in ("overconfidence_scaled", "val_overconfidence_scaled")})  # two decimals, as in the table
    ensemble = scored["ensemble"]
    seeds_val, seeds_test, ens_val, ens_test = (ensemble[k] for k in ("seeds_val", "seeds_test", "val", "test"))
    mean_val, mean_test = np.mean(seeds_val), np.mean(seeds_test)
    report.glue_numbers(seeds_val=mean_val, seeds_test=mean_test, seeds_test_min=min(seeds_test), seeds_test_max=max(seeds_test),
                        ens_val=ens_val, ens_test=ens_test, ens_agree=ensemble["agree"])
    report.glue_signed(ens_gain=100 * (ens_test - mean_test), ens_val_gain=100 * (ens_val - mean_val))
    report.glue_markdown(ens_seeds=report.plural(ensemble["members"], "seed"),
                         ens_verdict=report.verdict({"test_mean": ens_test, "test_std": 0.0, "seeds": 1},  # one network: the seeds' spread alone
                                                    {"test_mean": mean_test, "test_std": float(np.std(seeds_test, ddof=1)), "seeds": len(seeds_test)}))
    rows = leaderboard.entries(store)
    book = findings.glue_book_best(store, rows)  # the book's best MLP (the rule: leaderboard.best_mlp), beside the ensemble
    chosen = leaderboard.best_mlp(rows, store)
    saved_book = chosen is not None and chosen.pick.saved(store)
    report.glue_markdown(book_weights="although its weights are saved, this chapter's analyses do not read them yet" if saved_book
                         else "its weights were not saved, so this chapter cannot read it")
    if book:
        report.glue_markdown(ens_vs_book=report.above(ens_test, book["book_mlp_test"]),  # '0.17 points above'
                             ens_vs_book_val=report.above(ens_val, book["book_mlp_val"]))
    ens = assessed[ENSEMBLE]
    SCORED = ("1 × 128 baseline", STACKED, "best CNN")
    scores = {name: calibration.per_class_scores([metrics.predictions(r) for r in runs[name]], y_test) for name in SCORED}
    report.glue_table("tab_per_class", calibration_tables.per_class_table(dict(zip(("baseline", STACKED, "best CNN"), scores.values())),
                                                                    fdata.CLASS_NAMES, detail="best CNN"));
    base_f1, mlp_f1, cnn_f1 = (scores[name]["f1"] for name in SCORED)
    hardest, gain = int(cnn_f1.idxmin()), ((100 * cnn_f1).round(1) - (100 * base_f1).round(1)) / 100  # as the table prints them
    least = [c for c in gain.index if gain[c] == gain.min()]  # a tie as printed names every class in it
    missed_as = [int(c) for c in np.argsort(-metrics.pooled_confusion(runs["best CNN"])[hardest], kind="stable") if c != hardest][:3]
    report.glue_markdown(pc_hardest=fdata.CLASS_NAMES[hardest], pc_gain_most=fdata.CLASS_NAMES[int(gain.idxmax())],
                         pc_gain_least=report.join([fdata.CLASS_NAMES[int(c)] for c in least]), pc_missed_as=report.join([fdata.CLASS_NAMES[c] for c in missed_as]))
    report.glue_numbers(pc_base_f1=base_f1[hardest], pc_mlp_f1=mlp_f1[hardest], pc_cnn_f1=cnn_f1[hardest],
                        pc_cnn_p=scores["best CNN"]["precision"][hardest], pc_cnn_r=scores["best CNN"]["recall"][hardest],
                        pc_gain_most_pts=100 * gain.max(), pc_gain_least_pts=100 * gain.min(), pc_gain_least_base=min(base_f1[int(c)] for c in least))
    _, labels = features.test_subset(fdata.load())
    maps = {f"{name}\n({report.plural(m['values'], 'value')})": np.array(m["map"]) for name, m in learned.items()}  # as drawn
    agree = {key: m["agreement"] for key, m in zip(("raw", "mlp", "cnn"), learned.values())}
    report.glue_numbers(**{f"nn_{key}": value for key, value in agree.items()}, nn_k=features.NEIGHBOURS)
    report.glue_markdown(tsne_images=report.plural(len(labels), "test image"))
    weights = features.first_layer_weights(load_checkpoint(store.checkpoint_path(saved["1 × 128 baseline"][0]))[0])
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    ref, ls0, ls1, bmlp, bcnn = f.ref, f.ls0, f.ls1, f.bmlp, f.bcnn
    # Calibration: which networks are over- and underconfident, what smoothing and scaling do.
    claim(ref["overconfidence"] > 0 and ls0["overconfidence"] > 0, "the reference MLP and the unsmoothed 2 × 512 network are overconfident")
    claim(ref["temperature"] > 1 and ls0["temperature"] > 1, "their fitted temperatures are above 1")
    claim(all(s["overconfidence"] < 0 for s in (ls1, bmlp, bcnn)), "Every network trained with label smoothing is underconfident")
    claim(all(s["temperature"] < 1 for s in (ls1, bmlp, bcnn)), "T < 1 sharpens an underconfident one")
    claim(-ls1["overconfidence"] < -bmlp["overconfidence"] < -bcnn["overconfidence"] and ls1["accuracy"] < bmlp["accuracy"] < bcnn["accuracy"],
          "the more accurate it is, the more so")
    claim(abs(ls1["ece"] - ls0["ece"]) < 0.01, "it turns an overconfidence into an underconfidence of about the same size")
    claim(ls1["nll"] < ls0["nll"], "It does lower the test loss")
    claim(not (f.replication["smooth_replication_clear"] and f.replication["smooth_replication"] > 0),
          "chapter 4's gain from smoothing does not reproduce")
    claim(ls1["ece_scaled"] > ls0["ece_scaled"] and ls1["nll_scaled"] > ls0["nll_scaled"], "Nor does it help the repair")
    claim(ls1["ece_scaled"] > ls0["ece_scaled"] and ls1["nll_scaled"] > ls0["nll_scaled"],
          "after temperature scaling its ECE and NLL are no lower than without smoothing")
    claim(all(s["ece_scaled"] < s["ece"] for s in f.assessed.values()), "temperature scaling lowers every network's ECE")
    claim(abs(ref["overconfidence_scaled"]) < 0.01 and abs(ls0["overconfidence_scaled"]) < 0.01,
          "for the networks trained without smoothing that is enough, and their curves end near zero")
    claim(ls1["val_overconfidence_scaled"] > 0.005 and bmlp["val_overconfidence_scaled"] > 0.005,
          "the temperature that minimises the NLL leaves the smoothed MLPs overconfident, … even on the validation images it was fitted to")
    claim(ls1["overconfidence_scaled"] > ls1["val_overconfidence_scaled"] and bmlp["overconfidence_scaled"] > bmlp["val_overconfidence_scaled"],
          "and by … and … on test, whose accuracy is lower than validation's")
    claim(f.middle.min() > 100 * max(ls1["overconfidence_scaled"], bmlp["overconfidence_scaled"]),
          "Between about 50% and 90% confidence the miss is larger")
    claim(f.top_share.min() > 0.5, "most images sit in the top bin")
    # The seed ensemble.
    claim(f.mean_val < f.ens_val, "On validation, where a choice would be made, the ensemble gains … points")
    claim(f.mean_test < f.ens_test, "Averaging buys little because the seeds rarely disagree")
    claim(f.ens_test < max(f.seeds_test), "and below the best seed")
    claim(f.ens["overconfidence"] < bmlp["overconfidence"] < 0 and f.ens["ece"] > bmlp["ece"],
          "the ensemble is more underconfident than its members, with ECE … against … for one seed on average")
    claim(f.ens["ece_scaled"] < f.ens["ece"], "temperature scaling brings it to …")
    # Per class.
    hardest, base_f1, cnn = f.hardest, f.base_f1, f.scores["best CNN"]
    claim(fdata.CLASS_NAMES[hardest] == "Shirt", "the shirts it misses it takes most often for …")
    claim(hardest == int(base_f1.idxmin()) == int(f.mlp_f1.idxmin()), "The hardest class is … for all three models")
    claim((f.cnn_f1 >= base_f1).all(), "The best CNN's F1 is at least the baseline's on every class")
    claim(cnn["precision"][hardest] > cnn["recall"][hardest], "Its errors run both ways, but more of them are misses")
    claim(base_f1[int(f.gain.idxmin())] > 0.95, "where the baseline already reaches …")
    # What the networks learned.
    claim(f.agree["raw"] < f.agree["mlp"] < f.agree["cnn"],
          "In the networks' own features the classes separate, most in the best CNN's")
    # The book's best MLP is not one of the networks read here (whether its weights are saved is glued).
    named = {(study, label) for _, study, label in GROUPS.values()}
    claim(not any(label == f.book["book_mlp_label"] for _, label in named),
          "The book's best MLP by its rule, …, is not among them: chapter 11 trained it last")
