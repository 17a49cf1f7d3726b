"""The book's one figure style: palette, page width, text size (`use_style()` applies it; importing changes nothing)."""
from __future__ import annotations

import numpy as np
import seaborn as sns
from matplotlib.axis import Axis
from matplotlib.ticker import LogFormatter

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


def plain_number(value: float) -> str:
    """A tick value in one size of type: '0.00001', '0.5', '20', '10 000' (a thin space between
    thousands, a true minus), never a power of ten, whose raised exponent matplotlib draws at 70%
    of the text: under 9 pt at page width."""
    value = float(f"{value:.12g}")  # 2e-05, not the 2.0000000000000002e-05 a log locator computes
    if abs(value) >= 1000 and value == int(value):
        text = f"{value:,.0f}".replace(",", "\u2009")
    else:
        text = np.format_float_positional(value, trim="-")
    return text.replace("-", "\u2212")


class PlainLogFormatter(LogFormatter):
    """matplotlib's labels for a log axis (the decades; some minor ticks too on an axis that spans
    less than about a decade), written by `plain_number` rather than as powers of ten."""

    def _num_to_string(self, x: float, vmin: float, vmax: float) -> str:
        return plain_number(x)


def plain_log(axis: Axis) -> None:
    """Label a log-scaled axis (`ax.xaxis` or `ax.yaxis`, after `set_xscale("log")`) in plain
    numbers: the house rule for every log axis of the book (`PlainLogFormatter`)."""
    base = getattr(axis.get_transform(), "base", 10)
    axis.set_major_formatter(PlainLogFormatter(base))
    axis.set_minor_formatter(PlainLogFormatter(base, labelOnlyBase=False))


def _percent(metric: str, values: np.ndarray) -> np.ndarray:
    """Accuracy histories (fractions in the store) in percent; losses unchanged."""
    return 100 * values if metric.endswith("acc") else values
