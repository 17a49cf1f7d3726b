"""The claims a page makes in words (fmnist_lab.chapters.claims): checked on the full profile only,
and a claim that fails quotes its sentence."""
import pytest

from fmnist_lab.chapters import claims


def test_a_failed_claim_quotes_its_sentence_and_says_what_to_do():
    claims.claim(True, "Width is the lever that works")
    with pytest.raises(claims.ClaimFailed, match="“Width is the lever that works”.*rewrite the sentence"):
        claims.claim(False, "Width is the lever that works")
    assert issubclass(claims.ClaimFailed, AssertionError)  # pytest and nbval report it as a failed check


def test_directions_are_checked_on_the_full_profile_only(monkeypatch):
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    assert not claims.checked()
    monkeypatch.delenv("FMNIST_PROFILE")
    assert claims.checked()


# ---- Every claim quotes its page: a sentence cut from the prose takes its claim with it --------------
import ast  # noqa: E402
import pathlib  # noqa: E402
import re  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _page_words(text: str) -> str:
    """A page's words as the claims quote them: links reduced to their text, whitespace to one space."""
    return re.sub(r"\s+", " ", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text))


def _strings(node: ast.AST) -> list[str]:
    return [c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)]


def _claimed_sentences(module: pathlib.Path) -> list[str]:
    """The string literals of every `claim(holds, sentence)` call in a chapter module, and those of a
    `for sentence in (...)` loop whose body claims `sentence`."""
    found = []
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "claim" and len(node.args) == 2:
            found += _strings(node.args[1])
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and any(
                isinstance(c, ast.Call) and getattr(c.func, "id", None) == "claim" and len(c.args) == 2
                and getattr(c.args[1], "id", None) == node.target.id for c in ast.walk(node)):
            found += _strings(node.iter)
    return found


def _unquoted(sentence: str, page: str) -> list[str]:
    """The pieces of `sentence` between its "…" (glued values, elided words) that `page` lacks."""
    pieces = (p.strip(" ,.:;()“”—-") for p in re.sub(r"\s+", " ", sentence).split("…"))
    return [p for p in pieces if len(p) > 3 and p not in page]


def test_every_claim_quotes_words_its_page_still_says():
    pages = {}
    for page in (ROOT / "book").glob("*.md"):
        for module in re.findall(r"from fmnist_lab\.chapters import (\w+)", page.read_text()):
            pages.setdefault(module, []).append(_page_words(page.read_text()))
    checked = 0
    for module, texts in pages.items():
        for sentence in _claimed_sentences(ROOT / "fmnist_lab" / "chapters" / f"{module}.py"):
            assert not _unquoted(sentence, " ".join(texts)), f"{module}.py claims “{sentence}”, which its page no longer says"
            checked += 1
    assert checked > 150  # every chapter's claims were found and read


def test_a_claim_whose_sentence_was_cut_is_caught(tmp_path):
    page = _page_words("The widest of these gaps, {glue:md}`a` over [chapter 5](05.md), is real.")
    assert not _unquoted("The widest of these gaps, … over chapter 5, is …", page)
    assert _unquoted("The widest of these gaps is …: real, but small", page) == ["The widest of these gaps is", "real, but small"]
    module = tmp_path / "page.py"  # a claim with its sentence, and two sentences claimed in a loop
    module.write_text('claim(True, "one said thing")\nfor sentence in ("a said thing", "another"):\n    claim(ok, sentence)\n')
    assert sorted(_claimed_sentences(module)) == ["a said thing", "another", "one said thing"]


