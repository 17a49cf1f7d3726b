"""The figure types the book repeats. Each returns a matplotlib Figure; notebooks only call these.

Accuracy is drawn in percent everywhere (results store fractions; `_percent` converts), and
`use_style()` sets the book's one seaborn theme (chapters call it once). Figures that show a spread
over seeds hand seaborn one value per run and let it draw the mean and the spread (`errorbar="sd"`:
± one sample standard deviation; `("pi", 100)`: the lowest to the highest seed), so a figure cannot
disagree with the tables' mean ± std.
"""
from __future__ import annotations

import textwrap
from typing import Any, Callable, Sequence

import matplotlib.pyplot as plt
from matplotlib.ticker import LogLocator, MaxNLocator, NullFormatter
import numpy as np
import pandas as pd
import seaborn as sns
import torch
from sklearn.decomposition import PCA

from .augment import augment
from .data import CLASS_NAMES
from .metrics import per_class_accuracy, stopping_epochs

# matplotlib's ten colours, the ones the book has always used: blue for the first group (the MLP),
# orange for the second (the CNN), then green and red, as the captions name them.
PALETTE_NAME = "tab10"
PALETTE = sns.color_palette(PALETTE_NAME).as_hex()
# The one rule for every figure: at most WIDTH inches wide as saved (legends and tick labels
# included: `savefig.bbox` is tight), no text under TEXT_SIZE points. The HTML shows a figure 6.9 in
# wide and the PDF at most 6.3 in, so its text never shrinks below 9 pt; 200 dpi keeps it sharp.
WIDTH = 6.8
TEXT_SIZE = 10
STYLE = {"figure.dpi": 200, "savefig.dpi": 200, "savefig.bbox": "tight", "axes.spines.top": False,
         "axes.spines.right": False, "font.size": TEXT_SIZE, "axes.titlesize": TEXT_SIZE, "axes.labelsize": TEXT_SIZE,
         "xtick.labelsize": TEXT_SIZE, "ytick.labelsize": TEXT_SIZE, "legend.fontsize": TEXT_SIZE,
         "legend.title_fontsize": TEXT_SIZE, "legend.frameon": False, "grid.color": "0.9", "grid.linewidth": 0.8}
# Means drawn by `sns.lineplot`: a plain filled circle (seaborn's default adds a white rim).
POINT = {"marker": "o", "markersize": 6, "markeredgewidth": 0}


def use_style() -> None:
    """The book's figure theme: seaborn's white grid at notebook line widths, the palette above,
    then `STYLE` (chapters call this once; importing the module changes nothing)."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE_NAME, rc=STYLE)


def _percent(metric: str, values: np.ndarray) -> np.ndarray:
    """Accuracy histories (fractions in the store) in percent; losses unchanged."""
    return 100 * values if metric.endswith("acc") else values


def image_grid(images: torch.Tensor, titles: Sequence[str] | None = None, columns: int = 10,
               row_labels: Sequence[str] | None = None, cell: float = 0.9, cmap: str = "gray_r",
               title_size: float = 7, label_size: float = 8) -> plt.Figure:
    """A grid of 28x28 images with optional titles (may span lines) and row labels; `cell` is each
    image's width in inches, `title_size`/`label_size` the text sizes in points."""
    n = len(images)
    rows = -(-n // columns)
    lines = max((str(t).count("\n") + 1 for t in titles), default=1) if titles else 0
    title_height = max(0.25 * cell, lines * title_size * 1.45 / 72) if titles else 0.0
    fig, axes = plt.subplots(rows, columns, figsize=(columns * cell, rows * (cell + title_height)), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(np.asarray(images[i], dtype=float), cmap=cmap, vmin=None, vmax=None)
            if titles:
                ax.set_title(titles[i], fontsize=title_size)
    for r, label in enumerate(row_labels or []):
        axes[r, 0].text(-3, 14, label, ha="right", va="center", fontsize=label_size)
    fig.tight_layout(pad=0.2)
    return fig


def augmentation_grid(images: torch.Tensor, sets: dict[str, tuple[str, ...]], seed: int = 0,
                      label_size: float = TEXT_SIZE) -> plt.Figure:
    """The same images (N, 28, 28 in [0, 1]) once per row: as they are, then under each augmentation
    set, each row labelled with its set; the images share what `WIDTH` leaves beside the labels."""
    batch = images.unsqueeze(1)
    rows = {"original": batch} | {name: augment(batch, names, torch.Generator().manual_seed(seed))
                                  for name, names in sets.items() if names}
    labels = max(len(name) for name in rows) * 0.55 * label_size / 72 + 0.15  # inches the widest row label takes
    return image_grid(torch.cat(list(rows.values()))[:, 0], columns=len(images), row_labels=list(rows), label_size=label_size,
                      cell=min(0.9, (WIDTH - labels) / len(images)))


def misclassified(images: torch.Tensor, labels: Sequence[int], predicted: Sequence[int], n: int = 30,
                  columns: int = 6, cell: float = 1.05, title_size: float = TEXT_SIZE) -> plt.Figure:
    """The first `n` images whose prediction is wrong, each titled with its true class and, on a
    second line, '→ predicted class', by the class names the rest of the book uses ('Ankle boot',
    never 'Boot'): they fit a one-inch cell at 10 pt."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    wrong = np.nonzero(predicted != labels)[0][:n]
    titles = [f"{CLASS_NAMES[labels[i]]}\n→ {CLASS_NAMES[predicted[i]]}" for i in wrong]
    return image_grid(images[torch.as_tensor(wrong)], titles=titles, columns=columns, cell=cell, title_size=title_size)


def class_counts(splits: dict[str, torch.Tensor]) -> plt.Figure:
    """Images per class in each split (grouped bars; the legend gives each split's total, its
    thousands separated as the prose writes them: '50 000', never '50,000')."""
    from .report import thousands

    counts = pd.DataFrame([(CLASS_NAMES[c], f"{name} ({thousands(len(labels))})", n) for name, labels in splits.items()
                           for c, n in enumerate(torch.bincount(labels, minlength=len(CLASS_NAMES)).tolist())],
                          columns=["class", "split", "images"])
    fig, ax = plt.subplots(figsize=(WIDTH, 2.8))
    sns.barplot(counts, x="class", y="images", hue="split", saturation=1, ax=ax)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right", rotation_mode="anchor")
    ax.set_xlabel("")
    sns.move_legend(ax, "lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(splits), title=None)
    fig.tight_layout()
    return fig


def pixel_statistics(images: torch.Tensor, labels: torch.Tensor) -> plt.Figure:
    """Left: histogram of all pixel values. Right: mean brightness and ink coverage per class
    (horizontal bars, so the class names read without rotation)."""
    pixels = images.float() / 255
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 3.4), width_ratios=(1, 1.1))
    left.hist(pixels.flatten().numpy(), bins=51, color=PALETTE[0], log=True, linewidth=0)
    left.set_xlabel("pixel value (scaled to [0, 1])")
    left.set_ylabel("pixels (log scale)")
    per_class = pd.DataFrame([(CLASS_NAMES[c], stat, value) for c in range(len(CLASS_NAMES))
                              for stat, value in (("mean pixel value", pixels[labels == c].mean().item()),
                                                  ("fraction of non-zero pixels", (pixels[labels == c] > 0).float().mean().item()))],
                             columns=["class", "statistic", "value"])
    sns.barplot(per_class, x="value", y="class", hue="statistic", saturation=1, ax=right)
    right.set(xlim=(0, 1), xlabel="", ylabel="")
    sns.move_legend(right, "lower center", bbox_to_anchor=(0.5, 1.0), ncol=1, title=None)
    fig.tight_layout()
    return fig


def pca_scatter(images: torch.Tensor, labels: torch.Tensor, n: int = 5000, seed: int = 0) -> tuple[plt.Figure, float]:
    """`n` random images (pixels in [0, 1]) projected on their first two principal components, one
    colour per class; returns (figure, fraction of the pixel variance the two components explain)."""
    pick = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))[:n]
    pixels = images[pick].flatten(1).float().numpy() / 255
    pca = PCA(n_components=2, svd_solver="full").fit(pixels)  # exact, so the variance explained is too
    coords = pca.transform(pixels)
    fig, ax = plt.subplots(figsize=(5.6, 4.3))
    sns.scatterplot(x=coords[:, 0], y=coords[:, 1], hue=np.asarray(CLASS_NAMES)[labels[pick].numpy()], hue_order=CLASS_NAMES,
                    palette=PALETTE, s=9, alpha=0.5, linewidth=0, ax=ax)
    ax.set(xlabel="principal component 1", ylabel="principal component 2")
    sns.move_legend(ax, "center left", bbox_to_anchor=(1, 0.5), markerscale=3, title=None)
    fig.tight_layout()
    return fig, float(pca.explained_variance_ratio_.sum())


def _history(results: list[dict[str, Any]], metric: str) -> np.ndarray:
    """Seeds x epochs array of one history column (NaN-padded where runs stopped early)."""
    length = max(len(r["history"][metric]) for r in results)
    out = np.full((len(results), length), np.nan)
    for i, r in enumerate(results):
        values = [np.nan if v is None else v for v in r["history"][metric]]
        out[i, :len(values)] = values
    return out


# A history column's name in a legend.
METRIC_NAMES = {"train_loss": "training loss", "val_loss": "validation loss", "val_acc": "validation accuracy",
                "train_eval_acc": "training accuracy", "train_acc": "training accuracy (while training)",
                "lr": "learning rate"}


def metric_name(metric: str) -> str:
    return METRIC_NAMES.get(metric, metric.replace("_", " "))


def _mean_band(ax: plt.Axes, values: np.ndarray, **line: Any) -> None:
    """A per-epoch history (seeds x epochs, NaN after a run stopped): its mean over the seeds that
    reached each epoch, with a band from the lowest to the highest of them."""
    seed, epoch = np.nonzero(~np.isnan(values))
    sns.lineplot(x=epoch + 1, y=values[seed, epoch], errorbar=("pi", 100), err_kws={"linewidth": 0}, ax=ax, **line)


def curves(groups: dict[str, list[dict[str, Any]]], metrics: Sequence[str] = ("train_loss", "val_loss"),
           ylabel: str = "", ax: plt.Axes | None = None, mark_best: bool = False,
           legend_below: bool = False, ylim: tuple[float | None, float | None] | None = None) -> plt.Figure:
    """Mean curve over seeds with a min-max band, one colour per group, solid/dashed per metric.

    With a single metric and a y label that names it, the legend names the groups alone.
    `legend_below` puts the legend under the axes, off the data (for many or long labels); `ylim`
    (either end may be None) zooms in where one group's first epochs would flatten the rest."""
    names = [f"{label}: {metric_name(metric)}" if len(groups) > 1 else metric_name(metric) for label in groups for metric in metrics]
    if len(metrics) == 1 and (legend_below or ylabel) and len(groups) > 1:
        names = list(groups)
    # Below the axes, as many legend columns as the longest name leaves room for (about 0.075 in a character).
    columns = max(1, min(len(names), int(5.6 // (0.75 + 0.075 * max(len(n) for n in names))))) if legend_below else 1
    height = 3.5 + (0.25 * -(-len(names) // columns) if legend_below else 0)  # room for the legend below
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, height))
    styles = ["-", "--", ":", "-."]
    highest = -np.inf
    for g, (label, results) in enumerate(groups.items()):
        for m, metric in enumerate(metrics):
            values = _percent(metric, _history(results, metric))
            highest = max(highest, np.nanmax(values))
            _mean_band(ax, values, color=PALETTE[g % len(PALETTE)], linestyle=styles[m % 4], label=names[g * len(metrics) + m])
        if mark_best:
            for r in results:
                ax.axvline(r["final_epoch"], color=PALETTE[g % len(PALETTE)], alpha=0.3, linewidth=0.8)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    if ylim is not None:
        bottom, top = ylim
        if top is None and bottom is not None and highest > bottom:  # the data's top, not the whole range's
            top = highest + 0.05 * (highest - bottom)
        ax.set_ylim(bottom, top)
    if legend_below:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=columns)
    else:
        ax.legend()
    fig.tight_layout()
    return fig


def loss_and_accuracy(groups: dict[str, list[dict[str, Any]]], mark_best: bool = False) -> plt.Figure:
    """Two panels at page width: cross-entropy (left) and accuracy in % (right), training (solid)
    and validation (dashed), each a mean over seeds with its min-max band."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 3.2))
    curves(groups, ("train_loss", "val_loss"), "cross-entropy", ax=left, mark_best=mark_best)
    curves(groups, ("train_eval_acc", "val_acc"), "accuracy (%)", ax=right, mark_best=mark_best)
    return fig


def _class_matrix(values: np.ndarray, text: Sequence[Sequence[str]], title: str, **colours: Any) -> plt.Figure:
    """A 10 x 10 true-by-predicted class grid with each cell's own text ('' leaves it blank), white
    on dark cells; `colours` are seaborn's (cmap, vmin, vmax, center)."""
    fig, ax = plt.subplots(figsize=(6, 5))
    sns.heatmap(values, annot=np.asarray(text, dtype=object), fmt="", annot_kws={"fontsize": TEXT_SIZE}, cbar=False,
                square=True, xticklabels=CLASS_NAMES, yticklabels=CLASS_NAMES, ax=ax, **colours)
    plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
    ax.set(xlabel="predicted class", ylabel="true class", title=title)
    fig.tight_layout()
    return fig


def _row_rates(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=float)
    return counts / counts.sum(1, keepdims=True)


def confusion_matrix(counts: np.ndarray, title: str = "") -> plt.Figure:
    """Row-normalised confusion matrix (rows: true class) with percentages in the cells; a cell
    whose percentage rounds to 0 is left blank."""
    rates = _row_rates(counts)
    labels = [["" if f"{100 * r:.0f}" == "0" else f"{100 * r:.0f}" for r in row] for row in rates]
    return _class_matrix(rates, labels, title, cmap="Blues", vmin=0, vmax=1)


def confusion_difference(counts_a: np.ndarray, counts_b: np.ndarray, title: str = "") -> plt.Figure:
    """Row-normalised confusion of A minus that of B, in points: blue where A puts more of a class."""
    diff = 100 * (_row_rates(counts_a) - _row_rates(counts_b))
    limit = max(1.0, np.abs(diff).max())
    labels = [[f"{d:+.0f}".replace("-", "\u2212") if abs(d) >= 0.5 else "" for d in row] for row in diff]  # a true minus
    return _class_matrix(diff, labels, title, cmap="RdBu", vmin=-limit, vmax=limit)


def _val_percent_of(result: dict[str, Any]) -> float:
    return 100 * result["val"]["acc"]


def _train_percent_of(result: dict[str, Any]) -> float:
    """Training accuracy (eval mode) at the reported epoch, in percent."""
    return 100 * result["history"]["train_eval_acc"][result["final_epoch"] - 1]


def _seed_frame(table: dict[str, dict[str, list[dict[str, Any]]]], value: Callable[[dict[str, Any]], float]) -> pd.DataFrame:
    """{group: {series: runs}} as one row per run: group, series and `value(run)`."""
    return pd.DataFrame([(group, name, value(r)) for group, row in table.items() for name, runs in row.items() for r in runs],
                        columns=["group", "series", "value"])


def grouped_bars(table: dict[str, dict[str, list[dict[str, Any]]]], ylabel: str = "validation accuracy (%)",
                 ylim: tuple[float, float] | None = None) -> plt.Figure:
    """{group: {bar: runs}} as grouped bars of validation accuracy (%): the mean over seeds, error
    bars ± one standard deviation; the legend sits above the axes, off the bars."""
    frame = _seed_frame(table, _val_percent_of)
    bars = frame["series"].nunique()
    fig, ax = plt.subplots(figsize=(min(WIDTH, max(5, 0.7 * len(table) * bars)), 3.2))
    sns.barplot(frame, x="group", y="value", hue="series", errorbar="sd", capsize=0.15, err_kws={"linewidth": 1.2},
                palette=PALETTE[:bars], saturation=1, ax=ax)
    ax.set(xlabel="", ylabel=ylabel)
    if ylim:
        ax.set_ylim(*ylim)
    sns.move_legend(ax, "lower center", bbox_to_anchor=(0.5, 1.0), ncol=bars, title=None)
    fig.tight_layout()
    return fig


def per_class_bars(accuracies: dict[str, Any]) -> plt.Figure:
    """{model: runs} as per-class test accuracy (%): a point per model and class, the mean over
    seeds, with ± one standard deviation; one row per class (the axis does not start at zero, so
    no bars); the legend sits below the axes, off the data. Every model may instead be given as
    the (mean, std) arrays of `metrics.per_class_mean_std` (as chapters 2 and 09 still do): the
    same points, with those stds as the bars."""
    given = {name: value for name, value in accuracies.items() if isinstance(value, tuple)}
    if given and len(given) < len(accuracies):
        raise ValueError("per_class_bars: give every model as its runs, or every model as (mean, std)")
    per_seed = {name: [value[0]] if given else [per_class_accuracy(r["test"]["confusion"]) for r in value]
                for name, value in accuracies.items()}
    frame = pd.DataFrame([(name, CLASS_NAMES[c], 100 * acc[c]) for name, seeds in per_seed.items() for acc in seeds
                          for c in range(len(CLASS_NAMES))], columns=["model", "class", "accuracy"])
    fig, ax = plt.subplots(figsize=(6.5, 4.6))
    sns.pointplot(frame, x="accuracy", y="class", hue="model", errorbar=None if given else "sd",
                  dodge=0.3 if len(accuracies) > 1 else False, linestyle="none", marker="o", markersize=5, capsize=0.2,
                  err_kws={"linewidth": 1.2}, palette=PALETTE[:len(accuracies)], ax=ax)
    means = [line for line in ax.lines if len(line.get_xdata())]  # one line of points per model (legend entries are empty)
    for line, (_, std) in zip(means, given.values()):
        ax.errorbar(*line.get_data(), xerr=100 * np.asarray(std), fmt="none", color=line.get_color(), capsize=3, linewidth=1.2)
    ax.set(xlabel="test accuracy (%)", ylabel="")
    if len(accuracies) > 1:
        sns.move_legend(ax, "upper center", bbox_to_anchor=(0.5, -0.14), ncol=min(3, len(accuracies)), title=None)
    else:
        ax.get_legend().remove()
    fig.tight_layout()
    return fig


def sweep(groups: dict[float, list[dict[str, Any]]], xlabel: str, logx: bool = False) -> plt.Figure:
    """Accuracy against one factor ({value: runs}, e.g. `report.by_value(ch.depth, ...)`): validation
    (circles on a solid line, mean ± std over seeds) and training at the selected epoch (dots on a
    dashed line, the mean); `logx` spaces the values on a base-2 log axis."""
    frame = pd.DataFrame([(x, _val_percent_of(r), _train_percent_of(r)) for x, runs in groups.items() for r in runs],
                         columns=["x", "validation", "training"])
    fig, ax = plt.subplots(figsize=(5, 3.3))
    sns.lineplot(frame, x="x", y="validation", errorbar="sd", err_style="bars", err_kws={"capsize": 3}, **POINT,
                 color=PALETTE[0], label="validation", ax=ax)
    sns.lineplot(frame, x="x", y="training", errorbar=None, linestyle="--", marker=".", markeredgewidth=0, color=PALETTE[0],
                 alpha=0.7, label="training", ax=ax)
    if logx:
        ax.set_xscale("log", base=2)
    ax.set_xticks(list(groups), [str(v) for v in groups])
    ax.minorticks_off()
    ax.set(xlabel=xlabel, ylabel="accuracy at the selected epoch (%)")
    ax.legend()
    fig.tight_layout()
    return fig


def gains(rows: Sequence[Any], lines: dict[str, float] | None = None,
          xlabel: str = "accuracy points over the control") -> plt.Figure:
    """Accuracy points over a control, one row per change (largest at the top), labelled with its
    training time relative to the control: validation (hollow) and test (filled), the mean with the
    interval the prose judges by (`Gain.interval`: paired 95% where paired); `lines` marks other
    gains for scale."""
    fig, ax = plt.subplots(figsize=(WIDTH, 0.7 * len(rows) + 1.8))
    y = np.arange(len(rows))[::-1]
    ax.errorbar([g.val for g in rows], y + 0.12, xerr=[g.interval("val") for g in rows], fmt="o", mfc="white",
                capsize=3, color=PALETTE[0], label="validation")
    ax.errorbar([g.test for g in rows], y - 0.12, xerr=[g.interval("test") for g in rows], fmt="o", capsize=3,
                color=PALETTE[1], label="test")
    ax.axvline(0, color="black", lw=0.8)
    for i, (name, x) in enumerate((lines or {}).items()):
        ax.axvline(x, color=PALETTE[2 + i], ls=":", lw=1.5, label=name)
    # Wrapped so long labels do not widen the figure (a wider PNG is shown smaller, its text too);
    # no-break spaces keep "(×1.2 time)" on one line.
    ax.set_yticks(y, [textwrap.fill(f"{g.label} (×{g.cost:.1f}\u00a0time)", 34) for g in rows])
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    fig.legend(*ax.get_legend_handles_labels(), loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2)  # under the figure
    return fig


def per_layer(values: dict[str, Sequence[float]], ylabel: str, logy: bool = True, ax: plt.Axes | None = None,
              title: str = "") -> plt.Figure:
    """One line per configuration of a per-layer quantity (layer 1 = closest to the input); the
    legend sits right of the axes, off the data."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5.5, 3.3))
    for i, (label, ys) in enumerate(values.items()):
        ax.plot(np.arange(1, len(ys) + 1), ys, marker="o", color=PALETTE[i % len(PALETTE)], label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def layer_histograms(activations: dict[str, Sequence[torch.Tensor]], bins: int = 60) -> plt.Figure:
    """Rows: configurations; columns: hidden layers; each panel a filled histogram of that layer's
    outputs on its own scale (the x ticks show how the spread changes from layer to layer). Exact
    zeros, when they are at least a fifth of a layer's outputs (ReLU's), are counted apart and their
    share written in the panel: drawn as a bar they would flatten the rest of the distribution."""
    rows, cols = len(activations), max(len(v) for v in activations.values())
    fig, axes = plt.subplots(rows, cols, figsize=(min(WIDTH, 0.4 + 1.05 * cols), 1.5 * rows), squeeze=False)
    for r, (label, layers) in enumerate(activations.items()):
        for c, a in enumerate(layers):
            ax, values = axes[r, c], a.flatten().numpy()
            zeros = float(np.mean(values == 0))
            if zeros >= 0.2:
                values = values[values != 0]
                ax.text(0.97, 0.95, f"{100 * zeros:.0f}% zeros", transform=ax.transAxes, ha="right", va="top")
            counts, _, _ = ax.hist(values, bins=bins, color=PALETTE[r % len(PALETTE)], histtype="stepfilled", linewidth=0)
            if zeros >= 0.2:
                ax.set_ylim(0, 1.4 * counts.max())  # room for the share of zeros above the bars
            ax.set_yticks([])
            ticks = _two_ticks(float(a.min()), float(a.max()))  # from every output, zeros included
            ax.set_xticks(ticks, [f"{t:g}".replace("-", "\u2212") for t in ticks])
            ax.grid(False)
            if r == 0:
                ax.set_title(f"layer {c + 1}")
        axes[r, 0].set_ylabel(label)
    fig.tight_layout(pad=0.3, w_pad=0.8, h_pad=1.2)  # row gap: a share of zeros must not read as the tick labels above it
    return fig


def _two_ticks(low: float, high: float) -> list[float]:
    """Two round values in [low, high] at least half the range apart (two 10 pt labels fit under a
    one-inch panel; three do not)."""
    span = high - low
    if not span > 0:
        return [low]
    for exponent in range(int(np.floor(np.log10(span))), -12, -1):
        for mantissa in (5, 2, 1):
            step = mantissa * 10.0 ** exponent
            a, b = np.ceil(low / step) * step, np.floor(high / step) * step
            if b - a >= span / 2:
                return [round(a, 12) + 0.0, round(b, 12) + 0.0]  # + 0.0: no "−0"
    return [low, high]


def heatmap(values: np.ndarray, rows: Sequence[str], cols: Sequence[str], text: Sequence[Sequence[str]],
            xlabel: str, ylabel: str, vmin: float | None = None, vmax: float | None = None,
            ax: plt.Axes | None = None, colorbar: str = "validation accuracy") -> plt.Figure:
    """A grid of values (e.g. mean validation accuracy) with each cell's own text written in it
    (white on dark cells); values below `vmin` take the darkest colour, so the good region keeps
    its contrast; a NaN cell is left blank."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(min(WIDTH, 1.2 * len(cols) + 2), 0.5 * len(rows) + 1.2))
    sns.heatmap(np.asarray(values, dtype=float), annot=np.asarray(text, dtype=object), fmt="", annot_kws={"fontsize": TEXT_SIZE},
                cmap="viridis", vmin=vmin, vmax=vmax, xticklabels=cols, yticklabels=rows,
                cbar_kws={"label": colorbar, "fraction": 0.05}, ax=ax)
    ax.tick_params(axis="y", rotation=0)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    fig.tight_layout()
    return fig


def _tick(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def study_heatmap(results: Any, rows: str, cols: str, xlabel: str = "", ylabel: str = "",
                  row_title: Callable[[Any], str] | None = None, col_title: Callable[[Any], str] | None = None,
                  vmin: float | None = None) -> plt.Figure:
    """A study's groups on a grid of two `RunConfig` fields (e.g. rows="optimizer", cols="lr"):
    each cell is the mean validation accuracy in percent, marked "÷ k/n" when k of its n seeds
    diverged. `row_title(cfg)` / `col_title(cfg)` name a row or column from its first group's
    configuration (default: the field's value); `vmin` (percent) clips the colours below it."""
    configs = results.study.groups
    row_values = list(dict.fromkeys(getattr(cfg, rows) for cfg in configs.values()))
    col_values = list(dict.fromkeys(getattr(cfg, cols) for cfg in configs.values()))
    cell = {(getattr(cfg, rows), getattr(cfg, cols)): label for label, cfg in configs.items()}
    values = np.full((len(row_values), len(col_values)), np.nan)
    text = [["" for _ in col_values] for _ in row_values]
    for (r, c), label in cell.items():
        i, j, s = row_values.index(r), col_values.index(c), results.summaries[label]
        values[i, j] = 100 * s["val_mean"]
        text[i][j] = f"{values[i, j]:.1f}" + (f"\n÷ {s['diverged']}/{s['seeds']}" if s["diverged"] else "")

    def titles(values: list[Any], field: str, name: Callable[[Any], str] | None) -> list[str]:
        first = {getattr(cfg, field): cfg for cfg in reversed(list(configs.values()))}
        return [name(first[v]) if name else _tick(v) for v in values]

    return heatmap(values, titles(row_values, rows, row_title), titles(col_values, cols, col_title), text,
                   xlabel, ylabel, vmin=vmin, colorbar="validation accuracy (%)")


def schedule_curves(groups: dict[str, list[dict[str, Any]]]) -> plt.Figure:
    """Left: validation accuracy per epoch under each learning-rate schedule (mean over seeds,
    min-max band); right: the learning rate at the start of each epoch (first seed), drawn as steps
    because it is held through the epoch; one legend below."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 3.4))
    curves(groups, ("val_acc",), "validation accuracy (%)", ax=left)
    left.get_legend().remove()
    for g, results in enumerate(groups.values()):
        lr = results[0]["history"]["lr"]
        right.plot(np.arange(1, len(lr) + 1), lr, color=PALETTE[g % len(PALETTE)], drawstyle="steps-post")  # held for the epoch
    right.set_xlabel("epoch")
    right.set_ylabel("learning rate")
    for ax in (left, right):
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    fig.legend(left.get_lines(), list(groups), loc="lower center", ncol=len(groups))
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


def grouped_points(table: dict[str, dict[str, list[dict[str, Any]]]], ylabel: str = "validation accuracy (%)") -> plt.Figure:
    """{group: {series: runs}} as validation accuracy (%): a point per series, the mean over seeds,
    with ± one standard deviation, the series side by side within each group (for values whose axis
    does not start at zero, where bars would mislead); the legend sits above the axes, clear of the
    slanted group names."""
    frame = _seed_frame(table, _val_percent_of)
    series = frame["series"].nunique()
    fig, ax = plt.subplots(figsize=(min(WIDTH, max(5.0, 1.05 * len(table) + 1)), 3.4))
    sns.pointplot(frame, x="group", y="value", hue="series", errorbar="sd", dodge=0.3 if series > 1 else False,
                  linestyle="none", marker="o", markersize=5, capsize=0.1, err_kws={"linewidth": 1.2},
                  palette=PALETTE[:series], ax=ax)
    plt.setp(ax.get_xticklabels(), rotation=35, ha="right", rotation_mode="anchor")  # steep enough to keep neighbours apart
    ax.set(xlabel="", ylabel=ylabel)
    sns.move_legend(ax, "lower center", bbox_to_anchor=(0.5, 1.0), ncol=series, title=None)
    fig.tight_layout()
    return fig


def stopping_points(results: list[dict[str, Any]], stops: list[dict[str, float]] | None = None) -> plt.Figure:
    """Validation loss and accuracy of one configuration (mean over seeds, min-max band), with each
    seed's stopping epoch under the val-loss criterion (triangles) and the val-acc criterion (hollow
    circles); `stops` defaults to `metrics.stopping_epochs` of each run."""
    stops = stops if stops is not None else [stopping_epochs(r) for r in results]
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.2))
    for ax, metric, label in ((axes[0], "val_loss", "validation loss"), (axes[1], "val_acc", "validation accuracy (%)")):
        values = _percent(metric, _history(results, metric))
        _mean_band(ax, values, color=PALETTE[0])
        for i, stop in enumerate(stops):
            for key, marker, size, name in (("loss_epoch", "v", 6, "lowest validation loss"),
                                            ("acc_epoch", "o", 10, "highest validation accuracy")):
                epoch = int(stop[key])  # hollow circles, so a shared epoch shows both marks
                ax.plot(epoch, values[i, epoch - 1], marker, markersize=size, label=name if i == 0 else None,
                        color=PALETTE[3] if marker == "v" else PALETTE[2], markerfacecolor="none" if marker == "o" else None)
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=2, bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def panels(draw: Callable[..., Any], values: dict[str, Any], *args: Any, ylim: tuple[float, float] | None = None,
           figsize: tuple[float, float] = (WIDTH, 3.2), **kwargs: Any) -> plt.Figure:
    """Side-by-side panels sharing the y axis, one per entry of `values`, titled by its key: each is
    `draw(value, *args, ax=ax, **kwargs)` (e.g. `plots.per_layer`, `plots.curves`); the panels'
    lines share one legend, below the axes, so it covers no data (a metric name that every entry
    ends with, as in 'Adam: validation accuracy', is left to the axis label)."""
    fig, axes = plt.subplots(1, len(values), figsize=figsize, sharey=True, squeeze=False)
    for i, (ax, (title, value)) in enumerate(zip(axes[0], values.items())):
        draw(value, *args, ax=ax, **kwargs)
        ax.set_title(title)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        if i:
            ax.set_ylabel("")
        if ylim is not None:
            ax.set_ylim(*ylim)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    suffixes = {label.rpartition(": ")[2] for label in labels}
    if len(labels) > 1 and len(suffixes) == 1 and all(": " in label for label in labels):
        labels = [label.rpartition(": ")[0] for label in labels]  # one metric for all: the axis label names it
    fig.tight_layout()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(3, len(labels)))
    return fig


def _gap_points_of(result: dict[str, Any]) -> float:
    """Training (eval mode) minus validation accuracy at the reported epoch, in points."""
    return _train_percent_of(result) - _val_percent_of(result)


def accuracy_and_gap(lines: dict[str, dict[float, list[dict[str, Any]]]], xlabel: str, logx: bool = False,
                     reference: tuple[str, list[dict[str, Any]]] | None = None) -> plt.Figure:
    """Two panels against one setting: validation accuracy (%, left) and the train − validation gap
    (points, right), each mean ± std over seeds, one line per {label: {setting value: runs}}.

    A log axis cannot show a value ≤ 0, so those points are left out there; `reference` = (label,
    runs) draws such a group (e.g. no penalty, λ = 0) as a dotted grey line at its mean in both
    panels. The legend, when there is more than one thing to name, sits below the panels, off the data."""
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.2))
    for ax, value, ylabel in zip(axes, (_val_percent_of, _gap_points_of), ("validation accuracy (%)", "train − validation (points)")):
        for i, (label, groups) in enumerate(lines.items()):
            frame = pd.DataFrame([(x, value(r)) for x, runs in groups.items() if x > 0 or not logx for r in runs], columns=["x", "y"])
            sns.lineplot(frame, x="x", y="y", errorbar="sd", err_style="bars", err_kws={"capsize": 3}, **POINT,
                         color=PALETTE[i % len(PALETTE)], label=label, ax=ax)
            if not logx:
                ax.set_xticks(list(groups), [f"{x:g}" for x in groups])
        if reference is not None:
            ax.axhline(np.mean([value(r) for r in reference[1]]), color="grey", linestyle=":", label=reference[0])
        if logx:
            ax.set_xscale("log")
        ax.set(xlabel=xlabel, ylabel=ylabel)
        ax.get_legend().remove()
    handles, labels = axes[0].get_legend_handles_labels()
    if len(labels) > 1:
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), bbox_to_anchor=(0.5, 0.0))
        fig.tight_layout(rect=(0, 0.1, 1, 1))
    else:
        fig.tight_layout()
    return fig


def compare_curves(groups: dict[str, list[dict[str, Any]]], metric: str = "val_acc", ylabel: str = "") -> plt.Figure:
    """One history column (e.g. validation accuracy, in %) for several groups: a line per group (mean
    over seeds) with its min-max band, named by the group alone in a legend below the axes."""
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    curves(groups, (metric,), ylabel or metric_name(metric) + (" (%)" if metric.endswith("acc") else ""), ax=ax)
    ax.legend(ax.get_legend_handles_labels()[0], list(groups), loc="upper center", bbox_to_anchor=(0.5, -0.18),
              ncol=2 if len(groups) > 3 else len(groups))
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    fig.tight_layout()
    return fig


# ---- Chapter 9: why the MLP trails the CNN ---------------------------------------------------------
def moved_accuracy(curves: dict[str, dict[str, dict[float, float]]]) -> plt.Figure:
    """Test accuracy (%) of several models on moved images (`robustness.robustness`): left, against
    the shift in pixels; right, against the rotation in degrees; one line per model, a legend below."""
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.3), sharey=True)
    for ax, kind, xlabel in zip(axes, ("shift", "rotation"), ("shift (pixels, 8 directions averaged)", "rotation (degrees, both ways averaged)")):
        for i, (name, curve) in enumerate(curves.items()):
            xs = list(curve[kind])
            ax.plot(xs, [100 * curve[kind][x] for x in xs], marker="os^Dv"[i % 5], color=PALETTE[i % len(PALETTE)], label=name)
            ax.set_xticks(xs)
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel("test accuracy (%)")
    fig.tight_layout()
    fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=1 if len(curves) > 2 else len(curves),
               bbox_to_anchor=(0.5, 0.0))  # under the figure, however many rows it takes
    return fig


def against_size(lines: dict[str, dict[int, list[dict[str, Any]]]], xlabel: str = "training images") -> plt.Figure:
    """Two recipes trained on growing training sets ({name: {images: runs}}, log x): left, test
    accuracy (%, mean ± std over seeds), one line per recipe; right, the second recipe minus the
    first in points (± the two stds combined), with a zero line."""
    frame = pd.DataFrame([(name, n, 100 * r["test"]["acc"]) for name, groups in lines.items() for n, runs in groups.items()
                          for r in runs], columns=["recipe", "images", "test"])
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.3))
    for i, name in enumerate(lines):
        sns.lineplot(frame[frame["recipe"] == name], x="images", y="test", errorbar="sd", err_style="bars", err_kws={"capsize": 3},
                     **(POINT | {"marker": "os"[i % 2]}), color=PALETTE[i % len(PALETTE)], label=name, ax=axes[0])
    stats = frame.groupby(["recipe", "images"])["test"].agg(["mean", "std"]).fillna(0.0)  # one seed: no spread
    first, second = list(lines)[:2]
    a, b = stats.loc[first], stats.loc[second]
    xs = sorted(set(a.index) & set(b.index))
    axes[1].errorbar(xs, b.loc[xs, "mean"] - a.loc[xs, "mean"], yerr=np.hypot(a.loc[xs, "std"], b.loc[xs, "std"]), marker="o",
                     capsize=3, color="black")
    axes[1].axhline(0, color="grey", linewidth=0.8)
    axes[0].set_ylabel("test accuracy (%)")
    axes[1].set_ylabel(textwrap.fill(f"{second} − {first} (points)", 28))  # no taller than the axes
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xticks(xs, [f"{x:,}".replace(",", "\u2009") for x in xs], rotation=45)
        ax.minorticks_off()
        ax.set_xlabel(xlabel)
    axes[0].get_legend().remove()
    fig.tight_layout()
    fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=len(lines), bbox_to_anchor=(0.5, 0.0))
    return fig


def efficiency(networks: Any, best: Sequence[str], floor: float, line: tuple[str, float] | None = None,
               ringed: str = "best of its family on validation") -> plt.Figure:
    """Test accuracy (%) of trained networks (`robustness.trained_networks`: one point per
    configuration) against parameters (left) and training minutes per seed (right), both log x;
    one colour per family (MLP, CNN), the labels in `best` ringed; networks below `floor` validation
    accuracy and families other than MLP and CNN are left out. `line` = (label, accuracy fraction)
    adds a dotted horizontal line (e.g. the best MLP test accuracy); `ringed` names the rings."""
    kept = networks[(networks["val"] >= floor) & networks["family"].isin(["MLP", "CNN"])]
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.5), sharey=True)
    for ax, column, xlabel in zip(axes, ("params", "minutes"), ("parameters", "training time per seed (minutes)")):
        for i, fam in enumerate(("MLP", "CNN")):
            rows = kept[kept["family"] == fam]
            ax.scatter(rows[column], 100 * rows["test"], s=18, alpha=0.7, marker="os"[i], color=PALETTE[i], label=fam)
        marked = kept[kept["label"].isin(list(best))]
        ax.scatter(marked[column], 100 * marked["test"], s=120, facecolors="none", edgecolors="black", linewidths=1.2,
                   label=ringed)
        if line is not None and np.isfinite(line[1]):
            ax.axhline(100 * line[1], color="grey", linestyle=":", label=line[0])
        if len(kept):
            ax.set_xscale("log")
            decades = np.log10(kept[column].max() / kept[column].min())
            ax.xaxis.set_major_locator(LogLocator(subs=(1, 2, 5) if decades < 1.5 else (1,)))  # a few labels, however narrow the range
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}".replace(",", "\u2009") if v >= 1 else f"{v:g}"))
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel("test accuracy (%)")
    fig.tight_layout()
    fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=2, bbox_to_anchor=(0.5, 0.0))
    return fig
