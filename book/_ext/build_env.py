"""How `jupyter-book build book` executes the pages.

- FMNIST_BUILD=1 in this process's environment, which every page's kernel inherits, so a run
  missing from the store stops the build with one line (`fmnist_lab.runs.build`) instead of
  training for hours with no output.
- Pages execute in parallel, one kernel per core (FMNIST_BUILD_JOBS overrides; 1 is serial):
  myst-nb is parallel-safe and jupyter-book 1.x has no `-j` option, so the extension sets Sphinx's
  job count itself. Each page reads only the committed store and glues its own values, so no page
  waits for another; on two cores the build takes about two thirds of the serial time.
"""
import os


def jobs() -> int:
    """Sphinx's parallel job count for this build."""
    return max(1, int(os.environ.get("FMNIST_BUILD_JOBS") or os.cpu_count() or 1))


# Extensions that are safe to read in parallel but do not say so, which would make Sphinx fall back
# to a serial read with a warning. jupyter-book's sphinx_multitoc_numbering only renumbers sections
# once every page is read (TocTreeCollector.assign_section_numbers, in the main process).
PARALLEL_SAFE = ("sphinx_multitoc_numbering",)


def declare_parallel_safe(app) -> None:
    """Mark `PARALLEL_SAFE` extensions that left it undeclared as safe for parallel reading."""
    for name in PARALLEL_SAFE:
        extension = app.extensions.get(name)
        if extension is not None and extension.parallel_read_safe is None:
            extension.parallel_read_safe = True


def setup(app):
    os.environ["FMNIST_BUILD"] = "1"
    app.parallel = jobs()  # read (execute) in parallel; Sphinx itself decides whether writing may be
    app.connect("builder-inited", declare_parallel_safe)  # every extension is loaded by then
    return {"parallel_read_safe": True, "parallel_write_safe": True}
