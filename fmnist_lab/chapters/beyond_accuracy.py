"""Chapter 12's findings (beyond accuracy: calibration, ensembles, learned features): what the page glues and the claims it checks."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from .. import report
from ..analysis import calibration, features, metrics
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

# A reader's name -> (prefix of its glued numbers, study, group) of the saved networks read here.
GROUPS = {
    "reference MLP": ("ref", studies.ACTIVATION, studies.ACTIVATION.label_of(config.REFERENCE)),
    "2 × 512, no smoothing": ("ls0", studies.CALIBRATION, studies.CALIBRATION.label(label_smoothing=0.0)),
    "2 × 512, label smoothing 0.1": ("ls1", studies.CALIBRATION, studies.CALIBRATION.label(label_smoothing=0.1)),
    "best MLP": ("bmlp", studies.TRICKS, studies.BEST_MLP_LABEL),
    "best CNN": ("bcnn", studies.BEST, studies.BEST_CNN_LABEL),
    "1 × 128 baseline": ("base", studies.BASELINE_STUDY, studies.BASELINE_LABEL),
}
CALIBRATED = list(GROUPS)[:5]  # the baseline's weights are read for its first layer only
MAPPED = (("best MLP, last hidden layer", "best MLP"), ("best CNN, penultimate layer", "best CNN"))  # t-SNE: name, group


def saved_keys(store: Store) -> dict[str, list[str]]:
    """Per group, the run keys of the profile's seeds whose weights are in `store` (nothing is trained)."""
    return {name: [cfg.key() for cfg in study.configs()[label] if store.checkpoint_path(cfg.key()).is_file()]
            for name, (_, study, label) in GROUPS.items()}


def ensemble_name(saved: dict[str, list[str]]) -> str:
    return f"best MLP, average of {report.plural(len(saved['best MLP']), 'seed')}"


def stored_analyses(store: Store, saved: dict[str, list[str]] | None = None) -> list[Analysis]:
    """The page's two stored analyses: calibration of the saved networks (and of the best MLP's seed
    ensemble), and the t-SNE maps of pixels and of the two best networks' features. Raises
    FileNotFoundError while a group has no saved weights."""
    saved = saved or saved_keys(store)
    if not all(saved.values()):
        raise FileNotFoundError(f"no saved weights yet for {', '.join(n for n, keys in saved.items() if not keys)}")
    return [saved_calibration.analysis({name: saved[name] for name in CALIBRATED}, "best MLP", ensemble_name(saved), store),
            features.maps_analysis({name: store.checkpoint_path(saved[group][0]) for name, group in MAPPED})]


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes, check the claims that rest on them, and return what
    its figures draw (`facts.<name>`)."""
    store = experiments.current_store()
    root, full = str(store.root), experiments.current_profile().name == "full"
    report.glue_compute("ch12", ch.all_runs())
    runs = {name: predict.runs_with_weights(study, label, store) for name, (_, study, label) in GROUPS.items()}
    saved = saved_keys(store)  # the seeds whose weights are stored
    y_val, y_test = predict.labels("val"), predict.labels("test")
    ENSEMBLE = ensemble_name(saved)
    calibrated, learned = (derived.ensure(store, analysis) for analysis in stored_analyses(store, saved))
    scored = calibrated
    assessed = scored["assessed"]
    prefixes = {**{name: prefix for name, (prefix, _, _) in GROUPS.items()}, ENSEMBLE: "ens"}
    report.glue_numbers(**{f"{prefixes[name]}_{k}": v for name, s in assessed.items() for k, v in s.items()})
    report.glue_table("tab_calibration", calibration_tables.table(assessed))
    report.glue_table("tab_overconfidence", calibration_tables.overconfidence_table(assessed));
    curves = pd.DataFrame(scored["curves"])
    ref, ls0, ls1, bmlp, bcnn = (assessed[name] for name in CALIBRATED)
    READ_AS = dict(zip(CALIBRATED, ("the reference MLP", "the 2 × 512 network without smoothing", "the 2 × 512 network with smoothing", "the best MLP", "the best CNN")))
    report.glue_markdown(saved_seeds=calibration_tables.seeds_phrase({READ_AS[name]: [r["config"]["seed"] for r in runs[name] if r["key"] in saved[name]]
                                                               for name in CALIBRATED}))
    SMOOTHED = ("2 × 512, label smoothing 0.1", "best MLP")  # the MLPs trained with label smoothing, seed 0 in the figure
    middle = calibration.gaps(curves, low=0.5, high=0.9)  # the bins between 50% and 90% confidence, as drawn
    middle = middle[(middle["scaling"] == calibration.AFTER) & middle["model"].isin(SMOOTHED)]["gap"]
    top_share = calibration.top_bin_share(curves)[[(name, calibration.AFTER) for name in SMOOTHED]]
    report.glue_numbers(middle_gap_min=middle.min(), middle_gap_max=middle.max(), top_share_min=top_share.min(), top_edge=1 - 1 / calibration.BINS)
    report.glue_numbers(**{f"{prefixes[name]}_miss": abs(100 * s["overconfidence"]) for name, s in assessed.items()},
                        ece_scaled_min=min(s["ece_scaled"] for s in assessed.values()), ece_scaled_max=max(s["ece_scaled"] for s in assessed.values()))
    report.glue_signed(**{f"{prefixes[name]}_{k}_pts": 100 * s[k] for name, s in assessed.items()  # signed text, in points
                          for k in ("overconfidence_scaled", "val_overconfidence_scaled")})  # two decimals, as in the table
    if full:  # the directions the prose states
        assert ref["overconfidence"] > 0 and ls0["overconfidence"] > 0 and ref["temperature"] > 1 and ls0["temperature"] > 1
        assert all(s["overconfidence"] < 0 and s["temperature"] < 1 for s in (ls1, bmlp, bcnn))
        assert -ls1["overconfidence"] < -bmlp["overconfidence"] < -bcnn["overconfidence"] and ls1["accuracy"] < bmlp["accuracy"] < bcnn["accuracy"]
        assert abs(ls1["ece"] - ls0["ece"]) < 0.01 and ls1["nll"] < ls0["nll"]  # smoothing: same ECE, lower NLL before scaling
        assert ls1["ece_scaled"] > ls0["ece_scaled"] and ls1["nll_scaled"] > ls0["nll_scaled"]  # and worse after it,
        assert ls1["ece_scaled"] - ls0["ece_scaled"] > max(ls0["ece_scaled_std"], ls1["ece_scaled_std"])  # by more than a seed's spread
        assert all(s["ece_scaled"] < s["ece"] for s in assessed.values())
        assert abs(ref["overconfidence_scaled"]) < 0.01 and abs(ls0["overconfidence_scaled"]) < 0.01
        assert ls1["val_overconfidence_scaled"] > 0.005 and bmlp["val_overconfidence_scaled"] > 0.005
        assert ls1["overconfidence_scaled"] > ls1["val_overconfidence_scaled"] and bmlp["overconfidence_scaled"] > bmlp["val_overconfidence_scaled"]
        assert middle.min() > 100 * max(ls1["overconfidence_scaled"], bmlp["overconfidence_scaled"]) and top_share.min() > 0.5  # larger in the middle, most images on top
    ensemble = scored["ensemble"]
    seeds_val, seeds_test, ens_val, ens_test = (ensemble[k] for k in ("seeds_val", "seeds_test", "val", "test"))
    mean_val, mean_test = np.mean(seeds_val), np.mean(seeds_test)
    report.glue_numbers(seeds_val=mean_val, seeds_test=mean_test, seeds_test_min=min(seeds_test), seeds_test_max=max(seeds_test),
                        ens_val=ens_val, ens_test=ens_test, ens_agree=ensemble["agree"])
    report.glue_signed(ens_gain=100 * (ens_test - mean_test), ens_val_gain=100 * (ens_val - mean_val))
    report.glue_markdown(ens_seeds=report.plural(ensemble["members"], "seed"),
                         ens_vs_spread=report.against_spread(100 * (ens_test - mean_test), 100 * np.std(seeds_test, ddof=1)))
    ens = assessed[ENSEMBLE]
    if full:  # the directions the prose states
        assert mean_val < ens_val and mean_test < ens_test < max(seeds_test)
        assert ens["overconfidence"] < bmlp["overconfidence"] < 0 and ens["ece"] > bmlp["ece"] and ens["ece_scaled"] < ens["ece"]
    SCORED = ("1 × 128 baseline", "best MLP", "best CNN")
    scores = {name: calibration.per_class_scores([metrics.predictions(r) for r in runs[name]], y_test) for name in SCORED}
    report.glue_table("tab_per_class", calibration_tables.per_class_table(dict(zip(("baseline", "best MLP", "best CNN"), scores.values())),
                                                                    fdata.CLASS_NAMES, detail="best CNN"));
    base_f1, mlp_f1, cnn_f1 = (scores[name]["f1"] for name in SCORED)
    hardest, gain = int(cnn_f1.idxmin()), cnn_f1 - base_f1
    missed_as = [int(c) for c in np.argsort(-metrics.pooled_confusion(runs["best CNN"])[hardest], kind="stable") if c != hardest][:3]
    report.glue_markdown(pc_hardest=fdata.CLASS_NAMES[hardest], pc_gain_most=fdata.CLASS_NAMES[int(gain.idxmax())],
                         pc_gain_least=fdata.CLASS_NAMES[int(gain.idxmin())], pc_missed_as=report.join([fdata.CLASS_NAMES[c] for c in missed_as]))
    report.glue_numbers(pc_base_f1=base_f1[hardest], pc_mlp_f1=mlp_f1[hardest], pc_cnn_f1=cnn_f1[hardest],
                        pc_cnn_p=scores["best CNN"]["precision"][hardest], pc_cnn_r=scores["best CNN"]["recall"][hardest],
                        pc_gain_most_pts=100 * gain.max(), pc_gain_least_pts=100 * gain.min(), pc_gain_least_base=base_f1[int(gain.idxmin())])
    if full:  # the directions the prose states
        assert fdata.CLASS_NAMES[hardest] == "Shirt" and hardest == int(base_f1.idxmin()) == int(mlp_f1.idxmin()) and (cnn_f1 >= base_f1).all()
        assert scores["best CNN"]["precision"][hardest] > scores["best CNN"]["recall"][hardest] and base_f1[int(gain.idxmin())] > 0.95
    _, labels = features.test_subset(fdata.load())
    maps = {f"{name}\n({report.plural(m['values'], 'value')})": np.array(m["map"]) for name, m in learned.items()}  # as drawn
    agree = {key: m["agreement"] for key, m in zip(("raw", "mlp", "cnn"), learned.values())}
    report.glue_numbers(**{f"nn_{key}": value for key, value in agree.items()}, nn_k=features.NEIGHBOURS)
    report.glue_markdown(tsne_images=report.plural(len(labels), "test image"))
    if full:  # the directions the prose states
        assert agree["raw"] < agree["mlp"] < agree["cnn"]
    weights = features.first_layer_weights(load_checkpoint(store.checkpoint_path(saved["1 × 128 baseline"][0]))[0])
    return SimpleNamespace(**locals())
