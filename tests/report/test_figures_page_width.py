"""Every figure the book draws (fmnist_lab.report.figures) is readable at page width: saved at 200 dpi
it is at most 1 400 px (7 in) wide, legends and tick labels included, and shown at the PDF's 6.3 in
text width (the HTML shows it 6.9 in wide) its smallest text is still 9 pt, a log axis's labels
included (plain numbers, no power of ten with a raised exponent); no two texts overlap.
Each public figure function is drawn from small synthetic inputs shaped like the book's (its longest
labels, its number of groups), so a figure widened by a new legend or a longer label fails here, not
in review."""
import importlib
import inspect
import io
import pkgutil
import struct
from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch

from fmnist_lab.analysis import ceiling
from fmnist_lab.analysis.leaderboard import Gain
from fmnist_lab.engine import choices, config
from fmnist_lab.engine.data import CLASS_NAMES
from fmnist_lab.report import figures
from fmnist_lab.runs import studies

matplotlib.use("Agg")


MAX_PIXELS = 1400  # 7 in at 200 dpi
PDF_WIDTH = 6.3  # inches of text width in the PDF; a narrower figure keeps its size there
MIN_POINTS = 9


def history_run(seed: int, epochs: int = 20, start: float = 0.80, lr: float = 1e-3) -> dict:
    """A stored-result-shaped run: histories that rise (accuracies) and fall (losses), validation and
    test accuracy, a test confusion matrix."""
    rng = np.random.default_rng(seed)
    t = np.arange(1, epochs + 1)
    val = start + 0.1 * (1 - np.exp(-t / 4)) + rng.normal(0, 0.002, epochs)
    confusion = (np.eye(10) * 900 + rng.integers(0, 20, (10, 10))).astype(int)
    return {"config": {"seed": seed}, "final_epoch": epochs - 2, "val": {"acc": float(val[-3])}, "test": {"acc": float(val[-3]) - 0.005,
            "confusion": confusion.tolist()},
            "history": {"train_loss": list(0.6 * np.exp(-t / 6)), "val_loss": list(0.5 * np.exp(-t / 8) + 0.002 * t),
                        "train_eval_acc": list(val + 0.02 * t / epochs), "val_acc": list(val), "lr": [lr * (1 - e / epochs) for e in t]}}


def seeds(start: float = 0.80, epochs: int = 20) -> list[dict]:
    return [history_run(s, epochs, start) for s in range(3)]


def images(n: int, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, 256, (n, 28, 28), generator=torch.Generator().manual_seed(seed), dtype=torch.uint8)


LABELS = torch.arange(10).repeat(50)
ACTIVATIONS = [choices.ACTIVATIONS[a].title for a in choices.ACTIVATIONS]
INITS = [choices.INITS[i].title for i in choices.INITS]


def study_results():
    """What `figures.study_heatmap` reads of a loaded study: its groups' configurations and summaries."""
    groups = {f"{o}, lr {lr:g}": config.REFERENCE.replace(optimizer=o, lr=lr) for o in choices.OPTIMIZERS for lr in (1e-4, 1e-3, 1e-2, 1e-1)}
    summaries = {label: {"val_mean": 0.8 + 0.01 * i % 0.1, "diverged": i % 5 == 0, "seeds": 3} for i, label in enumerate(groups)}
    return SimpleNamespace(study=SimpleNamespace(groups=groups), summaries=summaries)


def trick_gains() -> pd.DataFrame:
    return pd.DataFrame([{"trick": f"best MLP + {name}", "val_gain": g, "val_ci": 0.2, "test_gain": g + 0.1, "test_ci": 0.5,
                          "val_seeds": [g - 0.1, g, g + 0.1], "test_seeds": [g - 0.2, g, g + 0.3]} for name, g in (("weight averaging", 0.0), ("mixup", -0.1),
                                                                                ("consistent distillation", 0.4))])


def frontier() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    mlps = pd.DataFrame({"label": [f"MLP {i}" for i in range(80)] + ["best MLP", "best MLP + weight averaging", "best MLP + mixup"],
                         "cpu_minutes": np.r_[rng.uniform(0.3, 30, 80), 20, 13, 12], "test": np.r_[rng.uniform(0.87, 0.91, 80), 0.907, 0.906, 0.908]})
    return mlps.assign(frontier=ceiling.pareto(mlps, cost="cpu_minutes"))


def networks() -> pd.DataFrame:
    return pd.DataFrame([(f"{f} {i}", f, 10 ** (4 + i / 4), 0.5 + i, 0.88 + 0.002 * i + 0.03 * (f == "CNN"), 0.88 + 0.002 * i + 0.03 * (f == "CNN"))
                         for f in ("MLP", "CNN") for i in range(8)], columns=["label", "family", "params", "minutes", "val", "test"])


def reliability_curves() -> pd.DataFrame:
    models = ("reference MLP", "2 × 512, no smoothing", "best MLP (label smoothing)", "best CNN")
    return pd.DataFrame([(m, s, c, min(1, c + 0.05 * (i - 1.5)), 200) for i, m in enumerate(models)
                         for s in ("before scaling", "after temperature scaling") for c in np.linspace(0.3, 0.97, 12)],
                        columns=["model", "scaling", "confidence", "accuracy", "images"])


def gain_rows() -> list[Gain]:
    labels = ("2 × 1024 vs 2 × 256", "6 layers, Kaiming normal, batch norm vs 6 layers, PyTorch default", "one-cycle vs constant",
              "erasing, 60 epochs vs no augmentation, 60 epochs")
    return [Gain(label, 0.5, 0.2, 0.6, 0.3, 1.2 + i) for i, label in enumerate(labels)]


# Each public figure function, called as the book calls it (the book's labels, group counts and arguments).
FIGURES = {
    "figures.image_grid": lambda: figures.image_grid(images(80), columns=8, row_labels=CLASS_NAMES, cell=0.75, label_size=10),
    "figures.image_grid, titled": lambda: figures.image_grid(images(10), titles=CLASS_NAMES, columns=5, cell=1.3, title_size=10),
    "figures.augmentation_grid": lambda: figures.augmentation_grid(images(8).float() / 255, studies.AUGMENTATION_SETS),
    "figures.misclassified": lambda: figures.misclassified(images(60), LABELS[:60], (LABELS[:60] + 1) % 10, n=30),
    "figures.class_counts": lambda: figures.class_counts({"training": LABELS.repeat(100), "validation": LABELS.repeat(20), "test": LABELS.repeat(20)}),
    "figures.pixel_statistics": lambda: figures.pixel_statistics(images(500), LABELS),
    "figures.pca_scatter": lambda: figures.pca_scatter(images(500), LABELS, n=400)[0],
    "figures.curves": lambda: figures.curves({a: seeds(0.8 + 0.01 * i) for i, a in enumerate(ACTIVATIONS[:5])}, ("val_acc",), "validation accuracy (%)"),
    "figures.curves, legend below": lambda: figures.curves({f"best MLP, variant {i} over 100 epochs": seeds() for i in range(5)}, ("val_acc",),
                                                       "validation accuracy (%)", legend_below=True),
    "figures.loss_and_accuracy": lambda: figures.loss_and_accuracy({"1 × 128 baseline": seeds()}, mark_best=True),
    "figures.confusion_matrix": lambda: figures.confusion_matrix(np.eye(10) * 900 + 11, title="pooled over seeds"),
    "figures.confusion_difference": lambda: figures.confusion_difference(np.eye(10) * 900 + 11, np.eye(10) * 880 + 13),
    "figures.grouped_bars": lambda: figures.grouped_bars({s: {"Adam": seeds(), "SGD": seeds()} for s in ("raw bytes", "[0, 1]", "standardized")}, ylim=(0, 100)),
    "figures.per_class_bars": lambda: figures.per_class_bars({"best MLP": seeds(), "best small CNN": seeds(0.85)}),
    "figures.sweep": lambda: figures.sweep({w: seeds() for w in (32, 64, 128, 256, 512, 1024, 2048)}, "units per hidden layer", logx=True),
    "figures.gains": lambda: figures.gains(gain_rows(), {"best MLP over the reference MLP": 2.1, "chapter 9's small CNN over the reference MLP": 3.4}),
    "figures.per_layer": lambda: figures.per_layer({a: [10.0 ** -i for i in range(7)] for a in ACTIVATIONS}, "gradient norm"),
    "figures.layer_histograms": lambda: figures.layer_histograms({a: [torch.relu(torch.randn(1000) / (c + 1)) if a == "ReLU" else torch.randn(1000) / (c + 1)
                                                                  for c in range(6)] for a in ACTIVATIONS[:4]}),
    "figures.heatmap": lambda: figures.heatmap(np.full((5, 4), 88.0), [str(b) for b in (32, 64, 128, 256, 512)], ["0.0001", "0.001", "0.01", "0.1"],
                                           [["88.0\n÷ 1/3"] * 4] * 5, "learning rate", "batch size", vmin=80, colorbar="validation accuracy (%)"),
    "figures.study_heatmap": lambda: figures.study_heatmap(study_results(), "optimizer", "lr", xlabel="learning rate", vmin=80),
    "figures.schedule_curves": lambda: figures.schedule_curves({name: seeds() for name in ("constant", "step decay", "cosine", "one-cycle")}),
    "figures.grouped_points": lambda: figures.grouped_points({name: {f"{n} epochs": seeds() for n in (20, 60)} for name in studies.AUGMENTATION_SETS}),
    "figures.stopping_points": lambda: figures.stopping_points(seeds()),
    "figures.panels": lambda: figures.panels(figures.curves, {title: {i: seeds() for i in INITS} for title in ("without batch norm", "with batch norm")},
                                         ("val_acc",), "validation accuracy (%)"),
    "figures.panels, per layer": lambda: figures.panels(figures.per_layer, {t: {i: [1.0, 2.0, 4.0] for i in INITS} for t in ("without batch norm", "with batch norm")},
                                                    "output standard deviation"),
    "figures.accuracy_and_gap": lambda: figures.accuracy_and_gap({"Adam + L2 (coupled)": {lam: seeds() for lam in (1e-5, 1e-4, 1e-3, 1e-2)},
                                                              "AdamW (decoupled)": {lam: seeds() for lam in (1e-5, 1e-4, 1e-3, 1e-2)}}, "λ", logx=True,
                                                             reference=("no penalty (λ = 0)", seeds())),
    "figures.compare_curves": lambda: figures.compare_curves({name: seeds() for name in ("no augmentation", "flip + erasing", "flip + rotation", "shift")}),
    "figures.moved_accuracy": lambda: figures.moved_accuracy({name: {"shift": {p: 0.9 - 0.05 * p for p in range(5)}, "rotation": {d: 0.9 - 0.01 * d for d in range(0, 16, 5)}}
                                                          for name in ("best MLP", "MLP trained on shifted images", "best CNN")}),
    "figures.against_size": lambda: figures.against_size({name: {n: seeds(0.7 + 0.02 * i) for i, n in enumerate((1000, 2000, 5000, 10000, 20000, 50000))}
                                                      for name in ("reference MLP", "small CNN without dropout")}),
    "figures.efficiency": lambda: figures.efficiency(networks(), ("MLP 7", "CNN 7"), 0.8, line=("highest test accuracy of any MLP", 0.91)),
    "figures.reliability": lambda: figures.reliability(reliability_curves()),
    "figures.tsne_maps": lambda: figures.tsne_maps({f"{name}\n({n} values)": np.random.default_rng(0).normal(size=(500, 2)) for name, n in
                                                                (("raw pixels", "784"), ("best MLP, last hidden layer", "1 024"),
                                                                 ("best CNN, penultimate layer", "1 152"))}, LABELS.numpy()),
    "figures.weight_images": lambda: figures.weight_images(np.random.default_rng(0).normal(size=(32, 28, 28))),
    "figures.gains_figure": lambda: figures.gains_figure(trick_gains(), pd.DataFrame({"val_gain": [0.0, 0.03, 0.05], "test_gain": [0.0, 0.15, 0.2]})),
    "figures.frontier_figure": lambda: figures.frontier_figure(frontier(), ["best MLP", "best MLP + weight averaging", "best MLP + mixup"], 0.915),
}


def figure_functions() -> set[str]:
    """The public functions of the figure modules that return a figure (alone or in a tuple)."""
    found = set()
    for info in pkgutil.iter_modules(figures.__path__):
        module = importlib.import_module(f"{figures.__name__}.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            returns = str(inspect.signature(function).return_annotation)
            if function.__module__ == module.__name__ and not name.startswith("_") and ("Figure" in returns or name.endswith("_figure")):
                found.add(f"figures.{name}")
    return found


def saved_width_pixels(fig: plt.Figure) -> int:
    """The width of the PNG the book saves (the theme's dpi and tight bounding box), read from its header."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return struct.unpack(">I", buffer.getvalue()[16:20])[0]


def drawn_texts(fig: plt.Figure) -> list[matplotlib.text.Text]:
    """The texts a reader sees: those a full draw of the figure renders (not the tick labels outside
    the axes' limits, nor those of a hidden axis), not empty."""
    drawn, draw = [], matplotlib.text.Text.draw

    def record(text, renderer):
        if text.get_visible() and text.get_text().strip():
            drawn.append(text)
        return draw(text, renderer)

    matplotlib.text.Text.draw = record
    try:
        fig.canvas.draw()
    finally:
        matplotlib.text.Text.draw = draw
    return list(dict.fromkeys(drawn))


def raised_exponent(text: str) -> bool:
    """Whether a text holds mathtext with a superscript ('$\\mathdefault{10^{-5}}$', what matplotlib's
    log axes write): the exponent is drawn at 70% of the text's size, a 10 pt label's at 7 pt."""
    return "$" in text and "^" in text


def text_box(text: matplotlib.text.Text, renderer) -> tuple[np.ndarray, float, float, float]:
    """A text's centre (pixels), its width and height as written, and its angle (radians): the
    window extent of a rotated text is the box around it, wider than the text itself."""
    extent = text.get_window_extent(renderer)
    angle = text.get_rotation()
    text.set_rotation(0)
    flat = text.get_window_extent(renderer)
    text.set_rotation(angle)
    return np.array([(extent.x0 + extent.x1) / 2, (extent.y0 + extent.y1) / 2]), flat.width, flat.height, np.radians(angle)


def overlap(a, b) -> bool:
    """Whether two texts' rectangles overlap (by more than a pixel or two): exactly when both are
    written at one angle, and by their bounding boxes otherwise."""
    (ca, wa, ha, ta), (cb, wb, hb, tb) = a, b
    if not np.isclose(ta, tb):
        wa, ha = abs(wa * np.cos(ta)) + abs(ha * np.sin(ta)), abs(wa * np.sin(ta)) + abs(ha * np.cos(ta))
        wb, hb = abs(wb * np.cos(tb)) + abs(hb * np.sin(tb)), abs(wb * np.sin(tb)) + abs(hb * np.cos(tb))
        ta = tb = 0.0
    d = cb - ca
    along, across = d @ [np.cos(ta), np.sin(ta)], d @ [-np.sin(ta), np.cos(ta)]
    return abs(along) < (wa + wb) / 2 - 2 and abs(across) < (ha + hb) / 2 - 2


def test_every_public_figure_function_is_checked_here():
    assert figure_functions() <= {name.partition(",")[0] for name in FIGURES}, "add the new figure function to FIGURES"


@pytest.mark.parametrize("name", FIGURES)
def test_figure_fits_the_page_with_text_of_at_least_9_points(name, themed):
    fig = FIGURES[name]()
    pixels = saved_width_pixels(fig)
    assert pixels <= MAX_PIXELS, f"{name}: {pixels} px wide at 200 dpi (> {MAX_PIXELS}); narrow its figsize, legend or labels"
    shrink = min(1.0, PDF_WIDTH / (pixels / 200))
    texts = drawn_texts(fig)
    small = {t.get_text(): round(t.get_fontsize() * shrink, 1) for t in texts if t.get_fontsize() * shrink < MIN_POINTS}
    assert not small, f"{name}: text under {MIN_POINTS} pt at page width: {small}"
    raised = [t.get_text() for t in texts if raised_exponent(t.get_text())]
    assert not raised, f"{name}: a power of ten whose exponent is drawn at 70% of the text: {raised}; label the axis with style.plain_log"


@pytest.mark.parametrize("name", FIGURES)
def test_no_two_texts_of_a_figure_overlap(name, themed):
    fig = FIGURES[name]()
    texts = drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    boxes = [text_box(t, renderer) for t in texts]
    clashes = [(texts[i].get_text(), texts[j].get_text()) for i in range(len(texts)) for j in range(i + 1, len(texts))
               if overlap(boxes[i], boxes[j])]
    assert not clashes, f"{name}: overlapping texts {clashes[:5]}"


def test_the_page_rule_catches_a_figure_too_wide_or_with_small_text(themed):
    wide, ax = plt.subplots(figsize=(8, 3), layout="tight")  # the axes fill the figure
    ax.plot([1, 2], [1, 2])
    assert saved_width_pixels(wide) > MAX_PIXELS
    small, ax = plt.subplots(figsize=(6, 3))
    ax.set_xlabel("tiny", fontsize=7)
    ax.set_xlim(0, 1)
    assert [t.get_fontsize() for t in drawn_texts(small) if t.get_text() == "tiny"] == [7]
    assert "2" not in [t.get_text() for t in drawn_texts(small)]  # a tick outside the limits is not drawn
    renderer = small.canvas.get_renderer()
    a, b, c = (ax.text(x, 0.5, "some words", rotation=45) for x in (0.2, 0.22, 0.6))
    small.canvas.draw()
    boxes = [text_box(t, renderer) for t in (a, b, c)]
    assert overlap(boxes[0], boxes[1]) and not overlap(boxes[0], boxes[2])
