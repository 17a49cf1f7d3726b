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


def test_plain_number_writes_every_value_in_one_size_of_type():
    written = [figures.plain_number(v) for v in (1e-5, 2.0000000000000002e-05, 0.1, 1.0, 20.0, 1000.0, 1e7, -0.5)]
    assert written == ["0.00001", "0.00002", "0.1", "1", "20", "1\u2009000", "10\u2009000\u2009000", "\u22120.5"]


def test_plain_log_labels_a_log_axis_without_raised_exponents(themed):
    fig, ax = plt.subplots()
    ax.plot([1e-6, 1e6], [1e-5, 0.1])
    ax.set_xscale("log")
    ax.set_yscale("log")
    figures.plain_log(ax.xaxis)
    figures.plain_log(ax.yaxis)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
    assert "1\u2009000\u2009000" in labels and "0.00001" in labels and "0.1" in labels
    assert not any("$" in label or "^" in label for label in labels)  # mathtext would raise the exponent at 70% size
    narrow, ax = plt.subplots()  # less than a decade: matplotlib labels some minor ticks, in plain numbers too
    ax.plot([2, 7], [1, 2])
    ax.set_xscale("log")
    figures.plain_log(ax.xaxis)
    narrow.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels(minor=True) if t.get_text()]
    assert labels and all(label.replace(".", "").isdigit() for label in labels), labels
    plt.close("all")
