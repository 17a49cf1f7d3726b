"""Numbers and small words as the book prints them (fmnist_lab.report.format): thin-space thousands,
whole numbers without decimals, U+2212, powers of ten, plurals, spans and slugs."""
import pytest

from fakes import MINUS, THIN

from fmnist_lab import report


@pytest.mark.parametrize("value, text", [(50_000, f"50{THIN}000"), (999, "999"), (7850, f"7{THIN}850"),
                                         (1_234_567, f"1{THIN}234{THIN}567"), (-1200, f"{MINUS}1{THIN}200"),
                                         (172_109.4, f"172{THIN}109")])
def test_thousands_uses_a_thin_space_never_a_comma(value, text):
    assert report.thousands(value) == text


@pytest.mark.parametrize("value, digits, text", [(10.0, 1, "10"), (13.0, 1, "13"), (12.99999, 1, "13"), (13.333, 1, "13.3"),
                                                 (9.3, 1, "9.3"), (-0.004, 2, "0"), (-0.5, 2, f"{MINUS}0.50"), (0.04, 1, "0")])
def test_number_drops_the_decimals_of_a_whole_number_and_uses_a_true_minus(value, digits, text):
    assert report.number(value, digits) == text


def test_signed_plural_and_span_edge_cases():
    assert report.signed(0.37) == "+0.37" and report.signed(-0.37) == f"{MINUS}0.37"
    assert report.signed(-0.001) == "0.00" and report.signed(0) == "0.00"  # no '−0.00', no '+0.00'
    assert report.plural(1, "run") == "1 run" and report.plural(1000, "image") == f"1{THIN}000 images"
    assert report.plural(0, "run") == "0 runs" and report.plural(2, "class", "classes") == "2 classes"
    assert report.span(5, 5, "epochs") == "5 epochs" and report.span(5, 5.004, "epochs") == "5 epochs"  # equal as shown
    assert report.span(5, 10, "epochs") == "between 5 and 10 epochs"
    assert report.span(-1, 2) == f"between {MINUS}1 and 2"


@pytest.mark.parametrize("value, text", [(1.9e-7, f"1.9 × 10⁻⁷"), (6.0e-8, "6.0 × 10⁻⁸"), (0.5, "0.5"), (3.3e6, "3.3 × 10⁶")])
def test_scientific_never_shows_e_notation(value, text):
    assert report.scientific(value) == text and "e" not in report.scientific(value)


def test_phrases_read_as_written_at_the_edges():
    assert report.number(10.0) == "10" and report.number(-0.375) == "\u22120.38"
    assert report.signed(-0.37) == "\u22120.37" and report.signed(0.37) == "+0.37" and report.signed(-0.001) == "0.00"
    assert report.plural(1, "run") == "1 run" and report.plural(3, "run") == "3 runs"
    assert report.plural(5000, "image") == "5\u202f000 images" and report.plural(2, "class", "classes") == "2 classes"
    assert report.span(5000, 5000, "images") == "5\u202f000 images" and report.span(1, 2.5) == "between 1 and 2.50"
    assert report.join(["a"]) == "a" and report.join(["a", "b", "a", "c"]) == "a, b and c" and report.join([]) == ""


@pytest.mark.parametrize("points,text", [(-0.914, "0.91 points below"), (0.72, "0.72 points above"), (0.001, "level with")])
def test_a_difference_reads_as_above_or_below_never_signed_from(points, text):
    assert report.above_below(points) == text


@pytest.mark.parametrize("value, text", [(1.2866e-7, "1.3 × 10⁻⁷"), (0.5, "0.5"), (0, "0"), (2.5e5, "2.5 × 10⁵"),
                                         (-3e-12, "−3.0 × 10⁻¹²"), (1e-3, "1.0 × 10⁻³")])
def test_scientific(value, text):
    assert report.scientific(value) == text


def test_slug_turns_a_readers_label_into_a_glue_name_fragment():
    assert report.slug("flip + rotation") == "flip_rotation"
    assert report.slug("No augmentation, 20 epochs") == "no_augmentation_20_epochs"
