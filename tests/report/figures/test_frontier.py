"""Chapter 11's figures (fmnist_lab.report.figures.frontier): seeds drawn apart, the goal, the minimum and the axis floor."""
import matplotlib

from fakes import frontier_mlps

from fmnist_lab.report import figures

matplotlib.use("Agg")


def test_tied_seeds_are_drawn_apart_so_three_seeds_show_three_ticks():
    rows = figures.seed_rows([0.14, 0.03, 0.14, 0.14], 2)
    assert rows[1] == 2 and rows[0] == 2 and len(set(rows[i] for i in (0, 2, 3))) == 3
    assert figures.seed_rows([0.1, 0.2, 0.3], 0) == [0, 0, 0]


def test_frontier_figure_draws_goal_and_minimum_and_says_how_many_are_below_the_axis():
    mlps = frontier_mlps()
    fig = figures.frontier_figure(mlps, ["net 8"], 0.92, 0.915)
    ax = fig.axes[0]
    labels = fig.legends[0].get_texts()
    assert {"goal, 92%", "minimum, 91.5%", "another MLP of the book"} <= {t.get_text() for t in labels}
    low = figures.frontier_axis(mlps, (0.92, 0.915))[0]
    below = int((100 * mlps["test"] < low).sum())
    assert any(t.get_text().startswith(f"{below} MLPs below {low:g}%") for t in ax.texts)
    assert low - 0.2 < ax.get_ylim()[0] < low  # just below the floor, so a point on it is drawn whole
