"""Chapter 11's findings (fmnist_lab.chapters.ceiling): the tricks' table, the frontier's and the pick's
glue, with names a reader reads and counts that add up; the committed runs support every claim, and a
claim that no longer holds fails with its sentence."""
import matplotlib
import pandas as pd
import pytest

from chapter_facts import broken, full_profile, facts_of  # noqa: F401  (full_profile: a fixture)
from fakes import chapter_run, frontier_mlps

from fmnist_lab.analysis import ceiling
from fmnist_lab.chapters import ceiling as ceiling_page
from fmnist_lab.chapters.claims import ClaimFailed
from fmnist_lab.report import figures, settings

matplotlib.use("Agg")


RECIPE = [chapter_run(0, 0.915, 0.905), chapter_run(1, 0.916, 0.910), chapter_run(2, 0.915, 0.906)]
TRICK = [chapter_run(0, 0.916, 0.904), chapter_run(1, 0.916, 0.911), chapter_run(2, 0.915, 0.905)]


def flips():
    return pd.DataFrame({"key": ["a", "b", "c"], "val": [0.915, 0.916, 0.915], "val_flip": [0.916, 0.916, 0.916],
                         "val_gain": [0.1, 0.0, 0.1], "test": [0.905, 0.910, 0.906], "test_flip": [0.906, 0.911, 0.905],
                         "test_gain": [0.1, 0.1, -0.1]})


def test_tricks_table_keeps_each_interval_on_one_line_and_adds_the_flip_row():
    runs = {"best MLP": RECIPE, "best MLP + trick": TRICK}
    gains = ceiling.trick_gains(runs, "best MLP")
    table = ceiling_page.tricks_table(runs, gains, "best MLP", flips())
    assert list(table["model"]) == ["best MLP", "best MLP + trick", ceiling_page.flip_label("best MLP")]  # the control's flip
    trick = table.iloc[1]
    assert trick["test gain (points)"] == "−0.03" and trick["ahead on test"] == "1 of 3"
    assert " " not in trick["95% interval"] and "\u00a0to\u00a0" in trick["95% interval"]  # never split over lines
    assert "(" not in trick["95% interval"]  # the interval has its own column, not brackets inside a cell
    flip = table.iloc[2]
    assert flip["val acc %"].startswith("91.60") and flip["test gain (points)"] == "+0.03" and flip["ahead on test"] == "2 of 3"
    assert table.iloc[0]["95% interval"] == "–"  # the recipe has no gain over itself: a dash, not a blank


def test_frontier_names_models_as_a_reader_does_and_counts_what_the_axis_hides():
    mlps = frontier_mlps()
    facts = ceiling_page.glue_frontier(mlps, 0.92, 0.915)
    low, high = figures.frontier_axis(mlps, (0.92, 0.915))
    assert facts["axis_floor"] == low and facts["below_axis_n"] == int((100 * mlps["test"] < low).sum()) > 0
    assert high > 92 and (facts["plain_n"], facts["taught_n"]) == (8, 1)
    assert facts["goal_gap"] == pytest.approx(1.5) and facts["minimum_gap"] == pytest.approx(1.0)
    row = mlps.iloc[6]
    assert settings.reader_name(row) == "chapter 10's MLP recipe, no augmentation"  # only the book's rule names a best MLP
    assert settings.reader_name(mlps.iloc[0]) == "chapter 7's net 0 MLP"
    assert "internal title" not in settings.reader_name(row) and "(" not in settings.reader_name(row)


def test_the_pick_names_its_runner_up_and_a_lead_inside_its_interval():
    runs = {"best MLP": RECIPE, "best MLP + trick": TRICK}
    facts = ceiling_page.glue_pick("best MLP + trick", runs, list(runs), 0.92, 0.915)
    assert facts["runner_up"] == "best MLP"
    assert facts["margin"] == pytest.approx(0.04)  # as printed: the raw mean lead is 0.033 and abs(facts["margin"]) < facts["margin_ci"]


facts = facts_of(ceiling_page, "11_ceiling")  # a module-scoped fixture: the page's glue of the committed store


def test_the_committed_runs_support_every_claim(facts, full_profile):
    ceiling_page.check(facts)


def test_a_claim_that_no_longer_holds_names_its_sentence(facts, full_profile):
    with pytest.raises(ClaimFailed, match="its seeds agree more closely"):
        ceiling_page.check(broken(facts, mix={**facts.mix, "test_std": 2 * facts.recipe["test_std"]}))
    with pytest.raises(ClaimFailed, match="The frontier ends at the book's best MLP"):
        ceiling_page.check(broken(facts, frontier={**facts.frontier, "costlier_n": 1}))
    with pytest.raises(ClaimFailed, match="Its lead over “…” is … points"):
        ceiling_page.check(broken(facts, picked={**facts.picked, "margin": -0.01}))  # a "lead" below the runner-up


def test_the_pick_is_the_books_best_mlp_and_the_most_accurate_on_test(facts, full_profile):
    with pytest.raises(ClaimFailed, match="makes the pick the book's best MLP"):
        ceiling_page.check(broken(facts, book={**facts.book, "book_mlp_label": "best MLP"}))
    with pytest.raises(ClaimFailed, match="the most accurate MLP the book trained on test"):
        ceiling_page.check(broken(facts, frontier={**facts.frontier, "top_label": "best MLP + mixup"}))


def test_the_published_recipe_is_set_against_the_papers_one_run(facts, full_profile):
    with pytest.raises(ClaimFailed, match="all … of our seeds score below it"):
        ceiling_page.check(broken(facts, published={**facts.published, "below_paper": facts.published["seeds"] - 1}))
    with pytest.raises(ClaimFailed, match="still holds their number"):
        ceiling_page.check(broken(facts, published={**facts.published, "paper_inside": False}))
    with pytest.raises(ClaimFailed, match="beyond seed noise"):
        ceiling_page.check(broken(facts, published={**facts.published, "val": {**facts.published["val"], "clear": False}}))


def test_additions_are_paired_with_the_published_recipe_and_named_by_what_they_add():
    from fmnist_lab.runs import studies
    runs = {studies.PUBLISHED_LABEL: RECIPE, studies.PUBLISHED_SMOOTHED: TRICK}
    gains = ceiling_page.glue_additions(runs, flips())
    assert list(gains["trick"]) == [studies.PUBLISHED_SMOOTHED] and gains.iloc[0]["ahead"] == 1
    assert ceiling_page.short_name(studies.PUBLISHED_SMOOTHED) == "label_smoothing"  # glued as add_label_smoothing_*
    assert ceiling_page.short_name(studies.PUBLISHED_AVERAGED) == "weight_averaging"
    assert ceiling_page.short_name(studies.PUBLISHED_ONECYCLE) == "one_cycle_schedule"  # one name, though it sets three fields
    assert ceiling_page.short_name(f"{studies.PUBLISHED_LABEL} + label smoothing + distillation") == "label_smoothing_distillation"
    table = ceiling_page.tricks_table(runs, gains, studies.PUBLISHED_LABEL, flips())
    assert table.iloc[-1]["model"] == f"{studies.PUBLISHED_LABEL} + test-time flip"


def test_the_page_says_which_additions_helped_on_validation_and_whether_their_stack_is_trained():
    from fmnist_lab.runs import studies
    gains = pd.DataFrame({"trick": [studies.PUBLISHED_SMOOTHED, studies.PUBLISHED_AVERAGED], "val_gain": [0.2, -0.1]})
    assert ceiling_page.stack_words(gains) == "only label smoothing raised validation accuracy, so that run is the stack"
    both = gains.assign(val_gain=[0.2, 0.1])  # no group smooths and averages at once
    assert ceiling_page.stack_words(both) == "label smoothing and weight averaging raised validation accuracy; their stack is not trained here"
    assert ceiling_page.stack_words(gains.assign(val_gain=[0.0, -0.1])).startswith("none of the additions")
