"""The PDF's layout hook (book/_ext/pdf_layout.py): table cells as the PDF sets them (numbers flush
right, words ragged right, no hyphenation, no empty paragraph), and the preamble that goes with it."""
from types import SimpleNamespace

import pytest
import yaml

from book_extensions import BOOK, book_extension
from docutils import nodes
from docutils.core import publish_doctree



def _extension():
    return book_extension("pdf_layout")


ROWS = [("model", "source", "seeds", "test acc %", "time"),
        ("best MLP", "ch. 10", "3", "90.68\u00a0±\u00a00.10", "8.4 ×"),
        ("human", "README", "–", "83.50", ""),
        ("2 × 256 (reference MLP)", "ch. 3", "1", "−0.27", "1\u2009000")]
RULE = "  ".join("=" * 24 for _ in ROWS[0])
TABLE = "\n".join([RULE, "  ".join(f"{c:<24}" for c in ROWS[0]), RULE, *("  ".join(f"{c:<24}" for c in row) for row in ROWS[1:]), RULE])


def _cells(doctree):
    return [[entry for entry in row.children] for row in doctree.findall(nodes.row)]


def _start(entry) -> str:
    """The LaTeX a cell opens with ('' for none)."""
    first = next(iter(entry.findall(nodes.paragraph)), None)
    return first[0].astext() if first is not None and isinstance(first[0], nodes.raw) else ""


@pytest.mark.parametrize("text", ["3", "90.68\u00a0±\u00a00.10", "+0.80 ± 0.27", "200\u202f350", "8.4 ×", "−0.27", "10⁻⁴", "6.89%", "12.0 / 19.3",
                                  "−0.62\u00a0to\u00a0+0.60", "2 of 3"])
def test_numbers_as_the_tables_write_them(text):
    assert _extension().is_number(text)


@pytest.mark.parametrize("text", ["chapter 10", "2 × 256 (reference MLP)", "best MLP", "–", "", "test ECE 6.89%", "seed 2 of 3", "to 3"])
def test_words_and_dashes_are_not_numbers(text):
    assert not _extension().is_number(text)


def test_a_column_of_numbers_is_set_flush_right_and_every_other_ragged_without_hyphens():
    layout = _extension()
    doctree = publish_doctree(TABLE)
    (table,) = doctree.findall(nodes.table)
    assert layout.numeric_columns(next(iter(table.findall(nodes.tgroup)))) == {2, 3, 4}  # 'ch. 10' has letters; '–' fits numbers
    layout.set_table_cells(table)
    starts = [[_start(entry) for entry in row] for row in _cells(table)]
    right, ragged = layout.CELL[True] + layout.NO_HYPHENS, layout.CELL[False] + layout.NO_HYPHENS
    assert starts[0] == [ragged, ragged, right, right, right]  # the header over numbers too
    assert starts[1] == [ragged, ragged, right, right, right]
    assert "hyphenpenalty=10000" in layout.NO_HYPHENS and "exhyphenpenalty=10000" in layout.NO_HYPHENS


def test_an_empty_cell_loses_its_empty_paragraph_and_a_second_pass_changes_nothing():
    layout = _extension()
    doctree = publish_doctree(TABLE)
    (table,) = doctree.findall(nodes.table)
    empty = _cells(table)[2][4]
    empty += nodes.paragraph("", "")  # what MyST writes for an empty Markdown cell: one more line in its row
    layout.set_table_cells(table)
    assert not list(empty.findall(nodes.paragraph)) and not list(empty.findall(nodes.raw))
    before = table.deepcopy().pformat()
    layout.set_table_cells(table)
    assert table.pformat() == before


def test_tables_are_left_alone_outside_the_pdf():
    doctree = publish_doctree(TABLE)
    app = SimpleNamespace(builder=SimpleNamespace(format="html"))
    _extension().fold_for_print(app, doctree, "intro")
    assert not list(doctree.findall(nodes.raw))


def test_the_preamble_keeps_lines_off_page_edges_and_table_rows_one_height():
    preamble = yaml.safe_load((BOOK / "_config.yml").read_text())["sphinx"]["config"]["latex_elements"]["preamble"]
    for setting in (r"\widowpenalty=10000", r"\clubpenalty=10000", r"\renewcommand{\arraystretch}"):
        assert setting in preamble
