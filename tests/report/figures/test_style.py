"""The book's figure style (fmnist_lab.report.figures.style): importing changes nothing; the theme keeps
the book's dpi, colours and 10 pt text (each figure's fit to the page:
tests/report/test_figures_page_width.py)."""
import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.colors import to_hex

from fmnist_lab.report import figures

matplotlib.use("Agg")


def test_importing_plots_leaves_matplotlib_settings_alone():
    code = ("import matplotlib as mpl; before = dict(mpl.rcParams); import fmnist_lab.report.figures; "
            "changed = [k for k, v in mpl.rcParams.items() if str(before[k]) != str(v)]; assert not changed, changed")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_theme_keeps_the_book_dpi_colours_and_text_sizes(themed):
    assert plt.rcParams["savefig.dpi"] == 200
    cycle = [to_hex(c) for c in plt.rcParams["axes.prop_cycle"].by_key()["color"]]
    assert cycle[:4] == ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"] == figures.PALETTE[:4]  # blue MLP, orange CNN, as captions say
    sizes = {key: matplotlib.font_manager.FontProperties(size=plt.rcParams[key]).get_size_in_points()
             for key in ("font.size", "axes.labelsize", "axes.titlesize", "xtick.labelsize", "ytick.labelsize", "legend.fontsize")}
    assert min(sizes.values()) >= 10, sizes  # shown at most 6.3/7 of their size (tests/report/test_figures_page_width.py): still >= 9 pt
