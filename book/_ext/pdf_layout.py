"""Make the PDF read like the HTML book.

The LaTeX builder sees the whole book as one document tree. Three things differ from the HTML
unless this hook changes them:
- code cells folded in the HTML (`hide-input`) would be printed in full, with wrap marks;
- the back matter (a `_toc.yml` part that is not `numbered`) would continue the chapter count
  ("Chapter 13. Appendix");
- the References page would be an empty chapter, the bibliography following as a chapter of
  its own (the preamble names that one "References").
"""
from docutils import nodes
from sphinx import addnodes

UNNUMBERED = r"\setcounter{secnumdepth}{-1}"
BIBLIOGRAPHY_PAGE = "references"  # the page whose only content is the {bibliography} directive


def _unnumbered_docs(app) -> list[str]:
    """The pages of the root's toctrees that are not numbered, in order (the back matter)."""
    root = app.env.get_doctree(app.config.root_doc)
    return [doc for toc in root.findall(addnodes.toctree) if not toc.get("numbered") for _, doc in toc["entries"]]


def fold_for_print(app, doctree, docname):
    if app.builder.format != "latex":
        return
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
