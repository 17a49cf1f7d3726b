"""The chapters' Markdown as prose: what a wrapped line can turn into."""
import pathlib
import re

BOOK = pathlib.Path(__file__).resolve().parents[2] / "book"


def test_no_prose_line_starts_like_a_numbered_list_item():
    """A line wrapped before '1) weights' or '2. The' turns the rest of a sentence into a list item."""
    for page in BOOK.glob("*.md"):
        prose = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
        starts = [line for line in prose.splitlines() if re.match(r"[0-9]+[.)] ", line) and "{doc}" not in line]
        assert not starts, f"{page.name}: {starts}"
