"""How a configuration reads to a reader (fmnist_lab.report.settings): recipe tables and optimizer titles."""
from fmnist_lab import report
from fmnist_lab.engine.config import REFERENCE
from fmnist_lab.runs import studies


def test_config_changes_lists_the_teachers_settings_only_for_a_taught_model():
    plain = studies.BEST_MLP_SHORT_PLAIN
    assert not any("teacher" in row for row in report.config_changes(plain)["setting"])
    table = report.config_changes(studies.DISTILLED_MLP, base=plain, base_name="untaught")
    assert list(table["setting"]) == ["teacher", "weight of the teacher's loss", "distillation temperature"]
    assert list(table["untaught"]) == ["—", "—", "—"]
    assert table["this model"][0] == "the best CNN, seed 0"  # named as the reader knows it, not by run key


def test_recipe_tables_read_as_words_not_field_names():
    table = report.config_changes(studies.BEST_CNN)
    rows = dict(zip(table["setting"], zip(table["reference MLP"], table["this model"])))
    assert rows["network"] == ("MLP", "small CNN") and rows["hidden layers"] == ("256 × 256", "—")
    assert rows["augmentation"] == ("none", "flip + shift + erasing") and rows["optimizer"] == ("Adam", "AdamW")
    assert not any("_" in name for name in table["setting"])  # no raw RunConfig field names


def test_optimizer_title_adds_the_settings_that_qualify_it():
    assert report.optimizer_title(REFERENCE) == "Adam"
    assert report.optimizer_title(REFERENCE.replace(optimizer="momentum")) == "SGD + momentum 0.9"
    assert report.optimizer_title(REFERENCE.replace(optimizer="nesterov", momentum=0.5)) == "Nesterov 0.5"
    assert report.optimizer_title(REFERENCE.replace(optimizer="adamw", weight_decay=0.01)) == "AdamW (λ = 10⁻²)"
    assert report.optimizer_title(REFERENCE.replace(weight_decay=0.001)) == "Adam + L2 (λ = 10⁻³)"


def test_reader_name_names_an_authors_recipe_once_with_the_chapter_that_re_ran_it():
    import pandas as pd
    from fmnist_lab.report import settings
    row = pd.Series({"family": "MLP", "chapter": 11, "label": "Nøkland & Eidnes's MLP recipe"})
    assert settings.reader_name(row) == "Nøkland & Eidnes's MLP recipe, re-run in chapter 11"
    assert settings.reader_name(pd.Series({"family": "MLP", "chapter": 3, "label": "2 × 1024"})) == "chapter 3's 2 × 1024 MLP"
    smoothed = pd.Series({"family": "MLP", "chapter": 11, "label": "Nøkland & Eidnes's MLP recipe + label smoothing"})
    assert settings.reader_name(smoothed) == "Nøkland & Eidnes's MLP recipe with label smoothing, trained in chapter 11"
    assert settings.rerun_name(f"{studies.PUBLISHED_LABEL} + one-cycle schedule", 11) == (
        "Nøkland & Eidnes's MLP recipe with the one-cycle schedule, trained in chapter 11")
    assert not settings.authored("Nøkland & Eidnes's MLP recipe, longer")  # only the recipe and its "+" additions


def test_an_addition_is_named_once_for_every_page_with_its_article_where_it_needs_one():
    from fmnist_lab.report import settings
    assert settings.addition(f"{studies.PUBLISHED_LABEL} + label smoothing") == "label smoothing"
    assert settings.addition(f"{studies.STACKED_MLP_LABEL} + weight averaging") == "weight averaging"
    assert settings.addition(f"{studies.PUBLISHED_LABEL} + one-cycle schedule") == "the one-cycle schedule"
    assert settings.addition("the test-time flip") == "the test-time flip"  # adds nothing to a recipe: as it is
    assert settings.addition(f"{studies.PUBLISHED_LABEL} + label smoothing + one-cycle schedule") == "label smoothing and the one-cycle schedule"
