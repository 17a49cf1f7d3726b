"""Make the PDF read like the HTML book.

The LaTeX builder sees the whole book as one document tree. Four things differ from the HTML
unless this hook changes them:
- code cells folded in the HTML (`hide-input`) would be printed in full, with wrap marks;
- the back matter (a `_toc.yml` part that is not `numbered`) would continue the chapter count
  ("Chapter 13. Appendix");
- the References page would be an empty chapter, the bibliography following as a chapter of
  its own (the preamble names that one "References");
- tables: Sphinx sets every cell as a justified, hyphenated paragraph, so numbers sit flush left
  (decimals out of line), narrow cells break words ("en-semble"), and an empty cell (an empty
  paragraph) makes its row a line taller. Here each cell of a column of numbers is set flush right
  (its header too), every other cell ragged right, no word in a cell hyphenated or broken at its
  hyphen, and empty paragraphs are dropped (`_config.yml`'s preamble sets the tables' row height).
"""
import re

from docutils import nodes
from sphinx import addnodes

UNNUMBERED = r"\setcounter{secnumdepth}{-1}"
BIBLIOGRAPHY_PAGE = "references"  # the page whose only content is the {bibliography} directive


def _unnumbered_docs(app) -> list[str]:
    """The pages of the root's toctrees that are not numbered, in order (the back matter)."""
    root = app.env.get_doctree(app.config.root_doc)
    return [doc for toc in root.findall(addnodes.toctree) if not toc.get("numbered") for _, doc in toc["entries"]]


# What a cell of a column of numbers holds: digits with their signs, separators and units
# ('+0.80 ± 0.27', '200 350', '8.4 ×', '90.68', '10⁻⁴', '6.89%', '12.0 / 19.3'), never a letter
# (but see `JOINED`).
NUMBER = re.compile(r"[\d\s\u00a0\u2009\u202f.,+\-\u2212\u2013±×%/⁰¹²³⁴⁵⁶⁷⁸⁹⁻]*\d[\d\s\u00a0\u2009\u202f.,+\-\u2212\u2013±×%/⁰¹²³⁴⁵⁶⁷⁸⁹⁻]*")
NOTHING = {"", "-", "\u2212", "\u2013", "\u2014"}  # an empty cell or a dash: fits a column of numbers or of words
# Set at the start of a cell: flush right for numbers, ragged right for words; in both no hyphenation.
CELL = {True: r"\raggedleft\arraybackslash", False: r"\raggedright\arraybackslash"}
NO_HYPHENS = r"\hyphenpenalty=10000 \exhyphenpenalty=10000 "


# Two numbers joined by a word, as an interval or a count: '−0.62 to +0.60', '2 of 3'.
JOINED = re.compile(r"[\s\u00a0]+(?:to|of)[\s\u00a0]+")


def is_number(text: str) -> bool:
    """Whether a table cell's text is a number as the book's tables write them (`NUMBER`), or two
    joined by 'to' or 'of' (`JOINED`)."""
    return all(NUMBER.fullmatch(part.strip()) for part in JOINED.split(text.strip(), maxsplit=1))


def numeric_columns(tgroup: nodes.tgroup) -> set[int]:
    """The columns of a table whose body cells are all numbers (or empty, or a dash), at least one a
    number; none when a cell spans rows or columns (its column would be ambiguous)."""
    rows = [[entry for entry in row.children if isinstance(entry, nodes.entry)] for row in tgroup.findall(nodes.row)
            if isinstance(row.parent, nodes.tbody)]
    if any(entry.get("morecols") or entry.get("morerows") for row in rows for entry in row):
        return set()
    columns = {}
    for row in rows:
        for col, entry in enumerate(row):
            columns.setdefault(col, []).append(entry.astext().strip())
    return {col for col, texts in columns.items()
            if all(t in NOTHING or is_number(t) for t in texts) and any(t not in NOTHING for t in texts)}


def set_table_cells(table: nodes.table) -> None:
    """Each cell of `table` opened with its alignment (`CELL`) and `NO_HYPHENS`; empty paragraphs,
    which LaTeX would set as one more line in their row, removed."""
    for tgroup in table.findall(nodes.tgroup):
        numbers = numeric_columns(tgroup)
        for row in tgroup.findall(nodes.row):
            cells = [entry for entry in row.children if isinstance(entry, nodes.entry)]
            for col, entry in enumerate(cells):
                for paragraph in [p for p in entry.children if isinstance(p, nodes.paragraph) and not p.astext().strip()]:
                    entry.remove(paragraph)
                first = next(iter(entry.findall(nodes.paragraph)), None)
                if first is not None and not (len(first) and isinstance(first[0], nodes.raw)):  # once per cell
                    # Inside the paragraph, so written on its line: a blank line before it would end a
                    # paragraph in the cell, and a longtable row grows a line taller.
                    first.insert(0, nodes.raw("", CELL[col in numbers] + NO_HYPHENS, format="latex"))


def fold_for_print(app, doctree, docname):
    if app.builder.format != "latex":
        return
    for table in doctree.findall(nodes.table):
        set_table_cells(table)
    for cell in list(doctree.findall(nodes.container)):
        if "tag_hide-input" in cell.get("classes", []):
            for part in [c for c in cell.children if "cell_input" in c.get("classes", [])]:
                cell.remove(part)
    unnumbered = _unnumbered_docs(app)
    for start in doctree.findall(addnodes.start_of_file):
        if unnumbered and start["docname"] == unnumbered[0]:
            start.insert(0, nodes.raw("", UNNUMBERED, format="latex"))
        if start["docname"] == BIBLIOGRAPHY_PAGE:  # its title only: LaTeX gives the list its own heading
            for section in [c for c in start.children if isinstance(c, nodes.section)]:
                section.replace_self([c for c in section.children if not isinstance(c, nodes.title)])


def setup(app):
    app.connect("doctree-resolved", fold_for_print)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
