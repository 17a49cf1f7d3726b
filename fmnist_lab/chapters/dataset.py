"""Chapter 1's findings (the dataset and input scaling): what the page glues and the claims it checks."""
from __future__ import annotations

from types import SimpleNamespace

from .. import report
from ..analysis import metrics, pixels
from ..engine import choices
from ..engine import data as fdata
from ..runs import studies
from ..runs.study import ChapterResults
from . import claims
from .claims import claim


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`);
    `check(facts)` then tests the claims that rest on them."""
    data = fdata.load()
    images, labels = data.train_images, data.train_labels
    numbers = pixels.dataset_facts(data)
    imbalance = numbers.pop("imbalance")  # not glued: `check` claims it is 0
    report.glue_numbers(**numbers)
    report.glue_markdown(**{f"{name}_text": report.thousands(numbers[name])  # '50 000', as the prose writes numbers
                            for name in ("n_train", "n_val", "n_test", "count_training", "count_validation", "count_test")})
    inkiest = pixels.ink_ranking(images, labels)
    report.glue_markdown(most_ink=report.join(inkiest[:3]), least_ink=report.join(inkiest[::-1][:3]))
    report.glue_compute("norm", ch.all_runs())  # the machines are named once, in the appendix
    summary = report.glue_groups(ch.normalization, lambda cfg: (cfg.normalization, cfg.optimizer), norm_="val_mean")
    gap = {(n, opt): 100 * (summary["standardize", opt]["val_mean"] - s["val_mean"]) for (n, opt), s in summary.items()}
    report.glue_numbers(**{f"norm_gap_{n}_{opt}": points for (n, opt), points in gap.items()})
    runs = {(n, opt): ch.normalization.runs[ch.normalization.label(normalization=n, optimizer=opt)] for n, opt in summary}
    centring = {opt: report.glue_comparison(f"norm_centring_{opt}", runs["standardize", opt], runs["unit", opt], split="val")
                for opt in studies.NORMALIZATION_OPTIMIZERS}  # [0, 1] -> standardized, paired seed by seed
    cost_adam = report.glue_comparison("norm_cost_adam", runs["standardize", "adam"], runs["raw", "adam"], split="val")
    behind = {(n, opt): report.compare(runs[n, opt], runs["standardize", opt], "val") for n, opt in runs if n != "standardize"}
    collapse = metrics.collapse(runs["raw", "sgd"])
    report.glue_numbers(norm_raw_sgd_majority=collapse["majority_share"])
    report.glue_markdown(norm_raw_sgd_first_loss=report.thousands(collapse["first_loss"]))
    report.glue_table("tab_normalization", report.summary_table(ch.normalization.runs, label="input scaling, optimizer"));
    scaling_runs = {title: {choices.OPTIMIZERS[opt].title: ch.normalization.runs[ch.normalization.label(normalization=n, optimizer=opt)]
                    for opt in studies.NORMALIZATION_OPTIMIZERS} for n, title in studies.NORMALIZATIONS.items()}
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    claim(f.imbalance == 0, "The classes are exactly balanced")  # the data, on every profile
    if not claims.checked():
        return
    claim(f.gap["raw", "adam"] > 0, "Its benefit depends on the optimizer: a couple of points with Adam")
    claim(f.cost_adam["clear"], "raw bytes cost Adam … points of validation accuracy (beyond seed noise)")
    claim(f.summary["raw", "adam"]["val_mean"] > 0.8, "With Adam, raw bytes … cost … yet the network still learns")
    claim(f.gap["unit", "sgd"] > 0, "Standardizing with training-split statistics is the safe default")
    claim(not any(c["clear"] and c["gain"] > 0 for c in f.behind.values()),
          "no other scaling validates higher beyond seed noise, with either optimizer")
    claim(f.summary["raw", "sgd"]["val_mean"] < 0.15, "the network never recovers: it ends at chance level")
    claim(not f.summary["raw", "sgd"]["diverged"], "The loss stays finite, so this is not a numerical divergence but a collapse")
