"""The first page's best models, headline and tables (fmnist_lab.chapters.findings), from fake leaderboard rows of the real study declarations."""
import pytest

from fmnist_lab.analysis import leaderboard
from fmnist_lab.chapters import findings
from fmnist_lab.runs import studies
from fmnist_lab.runs.store import Store


def entry(chapter, family, val, test, params=1000, study=studies.BEST, label=studies.STACKED_MLP_LABEL):
    summary = {"val_mean": val, "val_std": 0.001, "test_mean": test, "test_std": 0.002, "seeds": 3, "params": params}
    return leaderboard.Entry(chapter, family, study, label, summary)


def test_headline_compares_the_best_models_with_claims_and_the_reference(tmp_path):
    rows = [entry("03_depth_width", "MLP", 0.90, 0.89, params=2000, study=studies.WIDTH, label="2 × 1024"),
            entry("10_best", "MLP", 0.91, 0.905, params=8000),
            entry("09_cnn", "CNN", 0.93, 0.92), entry("10_best", "CNN", 0.95, 0.94, params=1000)]
    n = findings.headline(rows, Store(tmp_path))
    assert n["best_mlp_test"] == 0.905 and n["best_cnn_test"] == 0.94 and n["best_mlp_seeds"] == 3
    assert n["cnn_over_mlp"] == pytest.approx(3.5) and n["param_ratio"] == 8
    assert n["cnn9_over_mlp"] == pytest.approx(1.5)
    assert n["mlp_over_reports"] == pytest.approx(100 * (0.905 - findings.best_claim("MLP")[2]))
    assert "stack_gain" not in n  # reference MLP not stored
    assert findings.headline([], Store(tmp_path)) == {}


def test_headline_measures_the_stacked_recipe_even_when_a_variant_validates_higher(tmp_path):
    """Chapter 11's "best MLP + weight averaging" may lead on validation by a hair: the headline's
    best MLP is then that variant, while "stacked into one recipe" and the CNN's lead over the tuned
    MLP stay chapter 10's recipe, as the first page words them."""
    recipe = entry("10_best", "MLP", 0.910, 0.905)
    variant = entry("11_ceiling", "MLP", 0.911, 0.903, study=studies.TRICKS, label=studies.EMA)
    n = findings.headline([recipe, variant, entry("09_cnn", "CNN", 0.93, 0.92)], Store(tmp_path))
    assert n["best_mlp_test"] == 0.903  # the validation pick
    assert n["cnn9_over_mlp"] == pytest.approx(1.5)  # against the recipe, 0.905
    assert findings.which([recipe, variant], "MLP") == "chapter 10's MLP recipe with weight averaging (chapter 11)"


def test_best_claim_keeps_families_apart():
    assert "CNN" not in findings.best_claim("MLP")[1] and "CNN" in findings.best_claim("CNN")[1]
    assert findings.best_claim("MLP")[2] == max(a for _, w, a in leaderboard.REPORT_CLAIMS if "CNN" not in w)


def test_glance_table_puts_each_family_beside_its_claims():
    table = findings.glance_table([entry("10_best", "MLP", 0.91, 0.905),
                                   entry("10_best", "CNN", 0.95, 0.94, label=studies.BEST_CNN_LABEL)])
    models = list(table["model"])  # each pick as the prose names it, never "best MLP (… best MLP …)"
    mlp_claim, cnn_claim = findings.best_claim("MLP")[1], findings.best_claim("CNN")[1]
    mlp, cnn = "chapter 10's MLP recipe", "chapter 10's best CNN"
    assert models.index(mlp) < models.index(mlp_claim) < models.index(cnn) < models.index(cnn_claim)
    assert table.loc[models.index(cnn), "test acc %"] == "94.00\u00a0±\u00a00.20"
    assert table.loc[models.index(mlp), "source"] == "this book, best on validation"

def test_gain_numbers_count_gains_whose_paired_interval_includes_zero():
    gains = [leaderboard.Gain("a", 0.5, 0.1, 0.8, 0.1, 3.0, test_ci=0.3), leaderboard.Gain("b", 0.2, 0.1, 0.1, 0.3, 1.0, test_ci=0.2)]
    assert findings.gain_numbers(gains) == {"gain_top_test": 0.8, "gain_top_cost": 3.0, "gains_n": 2, "gains_noise": 1,
                                            "gain_top_clear": 1}
    assert findings.gain_numbers([]) == {}


def test_failed_claims_name_what_the_numbers_contradict():
    assert findings.failed_claims({}) == list(findings.CLAIMS)  # a missing number fails its claim
    good = {"scale_adam_gain": 2, "scale_raw_sgd_val": 0.1, "depth_range": 0.3, "depth1_gain": 4.2,
            "width_units": max(studies.WIDTHS), "width_gain": 0.8, "width_verdict": "beyond seed noise (…)",
            "smooth_gain": 0.5, "smooth_gain_val": 0.4, "smooth_verdict": "within seed noise (…)", "smooth_replication": 0.03, "smooth_replication_clear": 0,
            "reg_other_gain": 0.0, "reg_clear_gains": 0, "act_spread2": 0.6, "act2_verdict": "beyond seed noise (…)", "act_saturating_gap6": 0.9,
            "init_loss2_plain": 5, "init_loss2_bn": 2, "init_loss6_plain": 7, "init_loss6_bn": 3,
            "opt_spread": 0.5, "opt_verdict": "within seed noise (…)", "opt_lr_range_min": 7, "sched_min_gain": 0.6, "sched_clear_test": 0, "aug_short_trail": 0.5,
            "aug_long_trail": 0.1, "aug_short_below": 5, "aug_short_clear": 4, "aug_long_clear": 1, "aug_sets": 6, "aug_short_gains": 0, "aug_long_gains": 0,
            "cnn_over_mlp": 3, "cnn9_over_mlp": 1, "cnn9_over_mlp_verdict": "beyond seed noise (…)",
            "mlp_over_reports": 1, "mlp_over_published": 2, "cnn_over_reports": 1, "param_ratio": 6,
            "gain_top_test": 0.8, "stack_gain": 2, "cnn9_gain": 3, "stack_ci": 0.6, "cnn9_ci": 0.6, "gain_top_clear": 1, "gains_noise": 5, "gains_n": 6}
    assert findings.failed_claims(good) == []
    # the first screen says only the largest gain is clear of the noise
    assert findings.failed_claims(good | {"gains_noise": 4}) == ["3-8: the largest single gain is the only one whose paired interval excludes zero"]
    failed = findings.failed_claims({**good, "gain_top_test": 1.2})
    assert len(failed) == 1 and failed[0].startswith("10:")
    replicated = findings.failed_claims({**good, "smooth_replication": 0.45})  # had chapter 12 reproduced the gain
    assert len(replicated) == 1 and replicated[0].startswith("4:")
    tie = findings.failed_claims({**good, "cnn9_over_mlp_verdict": "within seed noise (…)"})  # the CNN ahead by a hair only
    assert len(tie) == 1 and tie[0].startswith("9/10:")
    helped = findings.failed_claims({**good, "aug_long_gains": 1})  # a set clearly ahead after the long run
    assert len(helped) == 1 and helped[0].startswith("8:")
    schedules = findings.failed_claims({**good, "sched_clear_test": 1})  # a schedule clearly ahead on test
    assert len(schedules) == 1 and schedules[0].startswith("7:")


def test_book_best_names_the_rules_pick_reports_a_tie_and_the_gap_to_the_cnn(tmp_path):
    """Every page quotes these as the book's headline: the pick by validation (chapter 11's variant
    here), tied with chapter 10's recipe (runs not stored: no interval, read as a tie), and the CNN's lead."""
    recipe = entry("10_best", "MLP", 0.910, 0.905)
    variant = entry("11_ceiling", "MLP", 0.911, 0.903, study=studies.TRICKS, label=studies.EMA)
    cnn = entry("10_best", "CNN", 0.95, 0.94, params=500, label=studies.BEST_CNN_LABEL)
    b = findings.book_best([recipe, variant, cnn], Store(tmp_path))
    assert b["book_mlp"] == "chapter 10's MLP recipe with weight averaging (chapter 11)" and b["book_mlp_label"] == studies.EMA
    assert b["book_mlp_test"] == 0.903 and b["book_gap"] == pytest.approx(3.7) and b["book_param_ratio"] == 2
    assert b["book_runner_up"] == "chapter 10's MLP recipe" and b["book_lead"] == "+0.10"
    assert b["book_tie"].startswith("tied on validation with chapter 10's MLP recipe (+0.10 points") and "book's rule" in b["book_tie"]
    assert findings.book_best([recipe], Store(tmp_path))["book_tie"] == "the only MLP on the leaderboard"
    assert findings.book_best([cnn], Store(tmp_path)) == {}


def test_mlp_name_never_calls_the_recipe_the_best_mlp():
    assert findings.mlp_name(entry("10_best", "MLP", 0.91, 0.905)) == "chapter 10's MLP recipe"
    assert findings.mlp_name(entry("03_depth_width", "MLP", 0.90, 0.89, study=studies.WIDTH, label="2 × 1024")) == "chapter 3's 2 × 1024"
    assert findings.mlp_name(entry("10_best", "CNN", 0.95, 0.94, label=studies.BEST_CNN_LABEL)) == "chapter 10's best CNN"
    published = entry("11_ceiling", "MLP", 0.92, 0.91, study=studies.PUBLISHED, label=studies.PUBLISHED_LABEL)
    assert findings.mlp_name(published) == "Nøkland & Eidnes's MLP recipe, re-run in chapter 11"  # not "chapter 11's Nøkland & Eidnes's"


def test_answer_table_ranks_each_change_with_its_paired_interval(tmp_path):
    gains = [leaderboard.Gain("a", 0.5, 0.1, 0.8, 0.1, 3.04, studies.WIDTH, "2 × 1024", "2 × 256", test_ci=0.27, same_machine=True),
             leaderboard.Gain("b", 0.2, 0.1, 0.1, 0.3, 1.0, studies.SMOOTHING, "label smoothing 0.1", "label smoothing 0",
                              test_ci=0.2, same_machine=False)]
    table = findings.answer_table([], gains, Store(tmp_path))  # nothing stored: no rows for scale
    assert list(table["change"]) == ["width: 2 × 1024", "label smoothing 0.1"] and list(table["chapter"]) == ["3", "4"]
    # bold where the interval excludes zero (0.80 > 0.27), plain where it holds zero (0.10 < 0.20)
    assert list(table["test gain (points)"]) == ["**+0.80\u00a0±\u00a00.27**", "+0.10\u00a0±\u00a00.20"]
    assert list(table["training time"]) == ["3.0\u00a0×", "–"]  # times from different machines are not compared
