"""The book's one figure style: palette, page width, text size (`use_style()` applies it; importing changes nothing)."""
from __future__ import annotations

import numpy as np
import seaborn as sns

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
