"""Tell the pages a book build is executing them: FMNIST_BUILD=1 in this process's environment,
which every page's kernel inherits, so a run missing from the store stops the build with one line
(`fmnist_lab.runs.build`) instead of training for hours with no output."""
import os


def setup(app):
    os.environ["FMNIST_BUILD"] = "1"
    return {"parallel_read_safe": True, "parallel_write_safe": True}
