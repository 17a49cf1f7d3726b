"""Chapter 9's findings (why an MLP trails a CNN): the robustness, training-set size and efficiency facts
the prose quotes, glued, and the efficiency figure with the compared networks ringed."""
from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import pandas as pd

from .. import report
from ..analysis import groups, leaderboard, metrics, robustness
from ..analysis.robustness import failed_below, robustness_facts, size_facts, test_images
from ..engine import data as fdata
from ..report import figures as plots
from ..report.comparisons import seeds_ahead
from ..report.format import number, plural, thousands
from ..report.glue import glue_markdown, glue_numbers
from ..report.settings import reader_name
from ..report.timing import timing_note, two_thread_minutes
from ..runs import experiments, studies, summary
from ..runs.study import ChapterResults
from ..runs.summary import select
from . import claims, findings
from .claims import claim


def efficiency_facts(networks: pd.DataFrame, floor: float | None = None, mlp: str | None = None,
                     cnn: str | None = None) -> dict[str, Any]:
    """What the prose quotes about `trained_networks`: how many configurations (`n_trained`), MLPs and
    CNNs shown (`n_mlp`, `n_cnn`), MLPs taught by a CNN (`n_taught`: the plots leave them out) and
    failed groups below `floor` validation accuracy (`n_failed`, any family: left out too; `floor`,
    by default `failed_below()`, is returned), so that n_trained = n_mlp + n_cnn + n_taught + n_failed;
    the MLP and the CNN the prose compares with (`best_mlp`, `best_cnn`: the labels `mlp`, `cnn`,
    by default the best of each family on validation; `_params`, `_test`, `_minutes`); the best test
    accuracy of any MLP (`top_mlp_test`, a maximum over test scores, not a pick; its label `top_mlp`
    and name `top_mlp_name`); the smallest CNN whose test accuracy beats every MLP's
    (`lean_cnn`: label; `_params`, `_test`, `_minutes`), how many times fewer parameters it has than
    that most accurate MLP (`lean_ratio`, with `top_mlp_params_text`), and the best MLP on validation among those with no more parameters
    than it (`rival_mlp`, with the same three numbers). Each named network's name as a reader reads
    it (`_name`, `reader_name`), its parameters as text
    (`_params_text`, '1 865 738') and its minutes per seed on two threads (`_minutes`, from
    `report.two_thread_minutes`: one thread count, so the times compare) with the machine
    (`_minutes_text`, '7.2 minutes per seed (2 threads of an AMD EPYC)'). A missing network is named
    'none', with nan numbers."""

    floor = failed_below() if floor is None else floor
    kept = networks[networks["val"] >= floor]
    mlps, cnns = (kept[kept["family"] == f] for f in ("MLP", "CNN"))
    none = pd.Series({"label": "none", "params": math.nan, "test": math.nan, "runs": []})

    def pick(frame: pd.DataFrame, label: str | None) -> pd.Series:  # the named one, else the best on validation
        if label is not None:
            named = frame[frame["label"] == label]
            return named.iloc[0] if len(named) else none
        return frame.loc[frame["label"] == select(dict(zip(frame["label"], frame["runs"])))].iloc[0] if len(frame) else none

    best = {"mlp": pick(mlps, mlp), "cnn": pick(cnns, cnn)}
    winners = cnns[cnns["test"] > mlps["test"].max()].sort_values("params") if len(mlps) else cnns.iloc[:0]
    lean = winners.iloc[0] if len(winners) else none
    rival = pick(mlps[mlps["params"] <= lean["params"]], None)  # the best MLP on validation no bigger than that CNN
    top = mlps.loc[mlps["test"].idxmax()] if len(mlps) else none  # a test-set maximum: named so, never "best"
    out: dict[str, Any] = {"floor": floor, "n_trained": len(networks), "n_mlp": len(mlps), "n_cnn": len(cnns),
                           "n_taught": int((kept["family"] == "MLP taught by a CNN").sum()),
                           "n_failed": int((networks["val"] < floor).sum()),
                           "top_mlp_test": mlps["test"].max(), "lean_cnn": lean["label"], "lean_ratio": top["params"] / lean["params"]}
    for prefix, row in (("best_mlp", best["mlp"]), ("best_cnn", best["cnn"]), ("lean_cnn", lean), ("rival_mlp", rival)):
        minutes, where = two_thread_minutes(list(row["runs"]))
        out |= {f"{prefix}_params": row["params"], f"{prefix}_test": row["test"], f"{prefix}_minutes": minutes,
                f"{prefix}_name": reader_name(row) if "chapter" in row else row["label"],
                f"{prefix}_params_text": "–" if math.isnan(row["params"]) else thousands(row["params"]),
                f"{prefix}_minutes_text": f"{number(minutes, 1)} minutes per seed ({where})" if where else "no time on two threads"}
    out |= {"best_mlp": best["mlp"]["label"], "best_cnn": best["cnn"]["label"], "rival_mlp": rival["label"],
            "top_mlp": top["label"], "top_mlp_name": reader_name(top) if "chapter" in top else top["label"],
            "top_mlp_params_text": "–" if math.isnan(top["params"]) else thousands(top["params"])}
    return out

# ---- Glue for the chapter's prose (each returns its facts, for the claims `check` makes) -------------


def _glue(prefix: str, facts: dict[str, Any]) -> dict[str, Any]:

    glue_numbers(**{f"{prefix}_{k}": v for k, v in facts.items() if not isinstance(v, str)})
    glue_markdown(**{f"{prefix}_{k}": v for k, v in facts.items() if isinstance(v, str)})
    return facts


def glue_robustness(prefix: str, curves: dict[str, dict[str, dict[float, float]]], mlp: str, cnn: str, shifted: str) -> dict[str, Any]:
    """Glue `robustness_facts` as `<prefix>_<fact>` (numbers), with `<prefix>_images`, the number
    of test images scored, as text ('2 000 images')."""

    return _glue(prefix, robustness_facts(curves, mlp, cnn, shifted) | {"images": plural(test_images(), "test image")})


def glue_sizes(prefix: str, mlp: dict[int, list[dict[str, Any]]], cnn: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """Glue `size_facts` as `<prefix>_<fact>` (numbers); the sizes also as text, '1 000 images'
    (`<prefix>_small_n`, `_large_n`, `_match_n`), and on how many of the CNN's seeds on the smallest
    set the last epoch was the best, 'on 2 of 3 seeds' (`<prefix>_cnn_last_best_text`)."""

    facts = size_facts(mlp, cnn)
    words = {f"{k}_n": plural(facts[k], "image") if facts[k] == facts[k] else "no training-set size"
             for k in ("small", "large", "cnn_match")}
    words["cnn_last_best_text"] = seeds_ahead(facts["cnn_last_best"], facts["small_seeds"])  # 'on 2 of 3 seeds'
    return _glue(prefix, facts | words)


def glue_efficiency(prefix: str, networks: pd.DataFrame, floor: float | None = None, mlp: str | None = None,
                    cnn: str | None = None) -> dict[str, Any]:
    """Glue `efficiency_facts` as `<prefix>_<fact>` (labels as text), with `<prefix>_timing`
    (`report.timing_note` of all the runs: where the training times come from)."""

    runs = [r for group in networks["runs"] for r in group]
    return _glue(prefix, efficiency_facts(networks, floor, mlp, cnn) | {"timing": timing_note(runs)})


def efficiency_figure(networks: pd.DataFrame, facts: dict[str, Any], ringed: str, line: str):
    """`plots.efficiency` with the networks `efficiency_facts` compares with ringed and named
    `ringed` in the legend (the prose may compare with a named model, not the validation pick), and
    a dotted line, named `line`, at the best test accuracy of any MLP."""

    return plots.efficiency(networks, (facts["best_mlp"], facts["best_cnn"]), facts["floor"],
                            line=(line, facts["top_mlp_test"]), ringed=ringed)


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`);
    `check(facts)` then tests the claims that rest on them."""
    report.glue_compute("ch9", ch.all_runs())
    REFERENCE_MLP = "reference MLP, 2 × 256 (chapter 3)"
    CANDIDATES = {REFERENCE_MLP: (studies.DEPTH, dict(hidden=(256, 256))), "2 × 1024 MLP (chapter 3)": (studies.WIDTH, dict(hidden=(1024, 1024))),
                  "2 × 512 MLP, label smoothing 0.1 (chapter 4)": (studies.SMOOTHING, dict(label_smoothing=0.1)),
                  "one-cycle MLP (chapter 7)": (studies.SCHEDULE, dict(schedule="onecycle")),
                  "MLP with random erasing, 60 epochs (chapter 8)": (studies.AUGMENTATION, dict(augment=("erase",), epochs=60))}
    mlps = {name: experiments.ensure(s.configs()[s.label(**fields)], quiet=True) for name, (s, fields) in CANDIDATES.items()}
    best_mlp, best_cnn, lenet = summary.select(mlps), ch.cnn.pick(model="cnn"), ch.cnn.label(model="lenet")
    mlp_runs, cnn_runs, lenet_runs = mlps[best_mlp], ch.cnn.runs[best_cnn], ch.cnn.runs[lenet]
    M, B, L = (report.glue_summary(name, runs) for name, runs in (("mlp", mlp_runs), ("cnn", cnn_runs), ("lenet", lenet_runs)))
    report.glue_markdown(best_mlp=best_mlp, best_cnn=best_cnn, ch9_timing=report.timing_note(mlp_runs + ch.cnn.all_runs()))
    small = [ch.cnn.summary(model="cnn", dropout=p) for p in studies.CNN_DROPOUTS]  # dropout 0, 0.25, 0.5
    report_c = leaderboard.claim("Report C", "LeNet-style CNN")  # one run, test accuracy
    report.glue_numbers(**{f"drop_{i}": s["val_mean"] for i, s in enumerate(small)}, cnn_gap_0=100 * small[0]["gap"],
                        cnn_gap_50=100 * small[2]["gap"], report_c=report_c,
                        param_ratio=M["params"] / B["params"], cnn_minus_mlp=report.points(B, M))
    report.glue_markdown(lenet_vs_mlp=report.above(L["test_mean"], M["test_mean"]),  # '0.91 points below'
                         lenet_vs_report_c=report.above(L["test_mean"], report_c),
                         **{f"{name}_params_text": report.thousands(n) for name, n in  # '61 706', never '61,706'
                            (("lenet", L["params"]), ("cnn", B["params"]), ("ref", mlps[REFERENCE_MLP][0]["params"]))})
    report.glue_table("tab_cnns", report.summary_table(ch.cnn.runs, label="network"));
    report.glue_table("tab_head_to_head", report.summary_table({best_mlp: mlp_runs, lenet: lenet_runs, best_cnn: cnn_runs},
                                                               label="network", test=True));
    cnn_vs_mlp = {split: report.glue_comparison(f"cnn_vs_mlp_{split}", cnn_runs, mlp_runs, split=split) for split in ("val", "test")}
    lenet_vs = {split: report.glue_comparison(f"lenet_vs_mlp_{split}", lenet_runs, mlp_runs, split=split) for split in ("val", "test")}
    dropout = {p: ch.cnn.runs[ch.cnn.label(model="cnn", dropout=p)] for p in studies.CNN_DROPOUTS}
    drop_gain = {p: report.compare(dropout[p], dropout[0.0], "val") for p in studies.CNN_DROPOUTS[1:]}  # against no dropout
    report.glue_markdown(**{f"drop_{i + 1}_verdict": report.noise_verdict(g["gain"], g["ci"]) for i, g in enumerate(drop_gain.values())})
    drop_gap = report.paired(dropout[0.5], dropout[0.0], value=metrics.train_val_gap)
    report.glue_markdown(cnn_gap_verdict=report.noise_verdict(drop_gap["gain"], drop_gap["ci"]))
    gains = report.glue_class_gains("gain", cnn_runs, mlp_runs)  # the classes the text names
    per_class = {k: report.paired(cnn_runs, mlp_runs, value=lambda r, k=k: 100 * metrics.per_class_accuracy(metrics.pooled_confusion([r]))[k])
                 for k in range(len(fdata.CLASS_NAMES))}  # the CNN's gain on each class, paired by seed
    ranked = sorted(range(len(gains)), key=lambda k: -gains[k])
    class_rank = {"1": ranked[0], "2": ranked[1], "last": ranked[-1]}
    report.glue_markdown(**{f"gain_{rank}_verdict": report.noise_verdict(per_class[k]["gain"], per_class[k]["ci"]) for rank, k in class_rank.items()},
                         gain_clear=report.join([fdata.CLASS_NAMES[k] for k in ranked if per_class[k]["clear"] and per_class[k]["gain"] > 0]) or "no class")
    data = fdata.load()
    mlp_pred, cnn_pred = ([metrics.predictions(r) for r in runs] for runs in (mlp_runs, cnn_runs))
    picks = metrics.only_right(data.test_labels, cnn_pred, mlp_pred).nonzero()[0][:20]
    mc = report.glue_mcnemar("mc", data.test_labels, cnn_pred, mlp_pred)  # seed i of the CNN against seed i of the MLP
    moved = robustness.stored_robustness()  # accuracy of saved networks on moved test images, read from the store
    sizes = {name: groups.by_value(ch.data_efficiency, robustness.images_of, model=model)  # {training images: runs}
             for name, model in (("reference MLP", "mlp"), ("small CNN", "cnn"))}
    nets = robustness.trained_networks([studies.CNN, *studies.STUDIES])  # one row per configuration, this chapter's names first
    eff = glue_efficiency("eff", nets, mlp=studies.STACKED_MLP_LABEL, cnn=studies.BEST_CNN_LABEL)  # compared with chapter 10's
    rob = glue_robustness("rob", moved, *moved)  # best MLP, best CNN, shift-trained MLP: `saved_model_paths`' order
    de = glue_sizes("de", *sizes.values())
    size_gain = {n: report.compare(sizes["small CNN"][n], sizes["reference MLP"][n], "test") for n in sizes["reference MLP"]}
    match = report.compare(sizes["small CNN"][de["cnn_match"]], sizes["reference MLP"][de["large"]], "test") if de["cnn_match"] == de["cnn_match"] else None
    report.glue_markdown(de_match_verdict=report.noise_verdict(match["gain"], match["ci"]) if match else "")
    def runs_of(label: str) -> list[dict[str, Any]]:  # a configuration of the efficiency table, by label ('none': no runs)
        found = nets[nets["label"] == label]
        return list(found.iloc[0]["runs"]) if len(found) else []

    lean, top, bmlp = (runs_of(eff[k]) for k in ("lean_cnn", "top_mlp", "best_mlp"))
    lean_vs_top = report.compare(lean, top, "test") if lean and top else {"gain": math.nan, "ci": math.nan, "clear": False}
    report.glue_markdown(eff_lean_vs_top_verdict=report.noise_verdict(lean_vs_top["gain"], lean_vs_top["ci"]),
                         eff_lean_vs_mlp_time=report.time_versus(lean, bmlp))
    book = findings.glue_book_best()  # the book's best MLP and best CNN (the rule: leaderboard.best_mlp)
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    small, M, B, rob, de, eff = f.small, f.M, f.B, f.rob, f.de, f.eff
    claim(small[2]["val_mean"] >= small[0]["val_mean"],
          "Dropout before the classifier lowers the training accuracy … without costing validation accuracy")
    claim(small[2]["gap"] < small[0]["gap"], "the train–validation gap shrinks from … to … points")
    claim(f.mc["p_max"] < 1e-3, "McNemar's test leaves no doubt that the difference is real")
    claim(not (f.lenet_vs["val"]["clear"] and f.lenet_vs["val"]["gain"] > 0), "The LeNet-style net … reaches … on validation, no better than the strongest MLP")
    claim(f.lenet_vs["test"]["gain"] < 0 and f.lenet_vs["test"]["clear"], "A LeNet-style CNN does not beat that MLP")
    claim(M["val_mean"] < B["val_mean"] and f.cnn_vs_mlp["val"]["clear"], "The small modern CNN is in another class")
    claim(M["test_mean"] < B["test_mean"] and f.cnn_vs_mlp["test"]["clear"], "A small modern CNN beats the strongest MLP of this book so far")
    claim(M["test_mean"] < B["test_mean"] and f.cnn_vs_mlp["test"]["clear"],
          "A small modern CNN reaches … test accuracy after 12 epochs, … points above the strongest MLP of chapters 3–8 (…), beyond seed noise")
    claim(all(not (g["clear"] and g["gain"] < 0) for g in f.drop_gain.values()), "In the range anyone uses, it does not")
    claim(f.drop_gap["clear"] and f.drop_gap["gain"] < 0, "the train–validation gap narrows")
    claim(not any(f.per_class[f.class_rank[r]]["clear"] for r in ("1", "2")), "The CNN's largest mean gains are on … and …: its seeds disagree there")
    claim(all(g["clear"] and g["gain"] > 0 for g in f.size_gain.values()), "The CNN is ahead at every size, beyond seed noise at each")
    claim(report.timing_note(f.mlp_runs + f.ch.cnn.all_runs()) == "all timed on one machine",  # the intro's rule for comparing times
          "Its price is time: … s per epoch, against … s for LeNet and … s for the MLP")
    claim(rob["shifted_drop_far"] > rob["cnn_drop_far"] and rob["shifted_rot_drop"] > rob["cnn_rot_drop"],
          "moved further than either saw in training, by 4 pixels, an MLP trained on 2-pixel shifts loses")
    claim(rob["mlp_drop"] / 2 > rob["shifted_drop"] > rob["cnn_drop"],
          "Shift augmentation buys the MLP most of that back where it was trained")
    claim(rob["shifted_drop_far"] > rob["cnn_drop_far"], "Beyond the range it saw, it falls away")
    claim(rob["mlp_rot_drop"] > rob["cnn_rot_drop"] < rob["shifted_rot_drop"], "the CNN's architecture tolerates moves it was never shown")
    claim(de["gap_small"] == de["gap_min"] < de["gap_large"],
          "its other half — a gap that widens as the data shrinks — does not show here")
    claim(de["match_factor"] > 1, "The CNN trained on … already reaches the accuracy of the MLP trained on all …")
    claim(de["cnn_last_best"] >= 1, "the CNN's last epoch was still its best: it was still improving when training stopped")
    claim(eff["lean_ratio"] > 1, "with … times fewer parameters than that MLP")
    claim(eff["best_cnn_test"] > eff["lean_cnn_test"], "the few CNN squares sit … most of them above the line, the best CNN highest")
    claim(eff["lean_cnn_test"] > eff["top_mlp_test"], "The smallest configuration of this chapter that scores above every MLP on test is")
    claim(eff["top_mlp_test"] > eff["rival_mlp_test"],  # the prose contrasts the lean CNN with a weaker MLP of its size
          "The most accurate MLP on validation with no more parameters than that CNN … scores …")
    claim(f.book["book_gap"] > 0, "the book's best MLP, …, still trails its best CNN (…) by … points")
    claim("different machines" in eff["timing"], "from more than one kind of machine, so indicative only")
    claim((eff["best_mlp"], eff["best_cnn"]) == (studies.STACKED_MLP_LABEL, studies.BEST_CNN_LABEL),
          "Black rings: chapter 10's MLP recipe and best CNN")
