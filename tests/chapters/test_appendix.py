"""The appendix's findings (fmnist_lab.chapters.appendix): chapter titles, cost per chapter, machines,
software, the benchmark and its projection."""
import numpy as np
import pytest

from fmnist_lab import report
from fmnist_lab.chapters import appendix as appendix_page


def run(key, epochs=3, seconds=60.0, device_name="AMD EPYC", threads=2):
    return {"key": key, "epochs_run": epochs,
            "provenance": {"wall_seconds": seconds, "device": "cpu", "device_name": device_name,
                           "threads": threads, "torch_version": "2.0"}}


def write_chapter(folder, name, title):
    path = folder / f"{name}.md"
    path.write_text(f"---\njupytext: {{}}\n---\n\n# {title}\n\nText.\n\n```{{code-cell}} ipython3\n# a comment\n```\n",
                    encoding="utf-8")
    return path


def test_chapter_title_is_the_first_heading_without_its_line_end(tmp_path):
    path = write_chapter(tmp_path, "09_cnn", "How far is an MLP from a small CNN?")
    assert appendix_page.chapter_title(path) == "How far is an MLP from a small CNN?"
    (tmp_path / "empty.md").write_text("no title\n")
    with pytest.raises(ValueError):
        appendix_page.chapter_title(tmp_path / "empty.md")


def test_cost_table_has_one_full_row_per_chapter_and_a_total(tmp_path):
    chapters = {"01_a": [run("k1"), run("k2")], "02_b": [run("k2"), run("k3", epochs=5, seconds=120)]}
    titles = {name: appendix_page.chapter_title(write_chapter(tmp_path, name, f"Title {name}")) for name in chapters}
    frame = appendix_page.cost_table(chapters, titles)
    assert list(frame["chapter"]) == ["Title 01_a", "Title 02_b", frame["chapter"].iloc[-1]]
    assert frame.notna().all().all() and (frame.astype(str) != "").all().all()
    assert list(frame["runs"]) == [2, 2, 3]  # k2 is shared: counted once in the total
    assert list(frame["epochs trained"]) == ["6", "8", "11"]
    many = appendix_page.cost_table({"01_a": [run(f"k{i}", epochs=1000) for i in range(12)]}, {"01_a": "A"})
    assert many["epochs trained"].iloc[0] == "12\u202f000"  # a thin space between thousands, never a comma
    # The rendered table: a header, an alignment row, then exactly one line per row, each with
    # one cell per column (a title that kept its line end would split its row in two).
    lines = report.markdown_table(frame).splitlines()
    assert len(lines) == 2 + len(chapters) + 1
    cells = [line.strip("|").split("|") for line in lines]
    assert {len(row) for row in cells} == {len(frame.columns)}
    assert all(cell.strip() for row in cells for cell in row)
    assert cells[2][0].strip() == "Title 01_a" and cells[2][1].strip() == "2"


def test_device_table_counts_each_run_once_per_machine_in_a_readers_words():
    runs = [run("k1"), run("k1"), run("k2"), run("k3", device_name="x86_64"), run("k4", device_name="Intel(R) Xeon(R) Processor", threads=1)]
    frame = appendix_page.device_table(runs)
    assert list(frame.columns) == ["machine", "torch", "runs"]
    assert dict(zip(frame["machine"], frame["runs"])) == {
        "2 threads of an AMD EPYC": 2, "2 threads of an unnamed x86-64 CPU": 1, "1 thread of an Intel Xeon": 1}
    assert frame["machine"].iloc[0] == "2 threads of an AMD EPYC"  # the busiest machine first
    assert set(frame["torch"]) == {"2.0"}


def test_bench_table_and_numbers():
    measured = {"repeats": 3, "compute_bound_s": 1.0,
                "rows": {"plain": {"engine_s": 1.2, "dataloader_s": 12.0}, "augmented": {"engine_s": 2.0, "dataloader_s": 18.0}}}
    frame = appendix_page.bench_table(measured)
    assert list(frame["case"]) == ["plain", "augmented", "compute only"]
    assert list(frame["speed-up"]) == ["10.0×", "9.0×", "–"]
    assert appendix_page.bench_numbers(measured) == pytest.approx({"bench_speedup": 10.0, "bench_overhead": 1.2, "bench_repeats": 3})


def test_software_table_names_the_cpu_once():
    frame = appendix_page.software_table(packages=("numpy",))
    values = dict(zip(frame["component"], frame["version / value"]))
    assert values["CPU"] and values["numpy"] == np.__version__


def test_chapter_title_finds_a_page_of_the_book_by_name(tmp_path):
    write_chapter(tmp_path, "03_x", "Depth and width")
    assert appendix_page.chapter_title("03_x", book=tmp_path) == "Depth and width"
    assert appendix_page.chapter_title("09_cnn")  # the real book, wherever the process runs


def test_projection_table_has_one_row_per_core_count():
    frame = appendix_page.projection_table({"hours": {2: 7.63, 8: 2.0, 32: 1.04}})
    assert frame.to_dict("list") == {"cores": [2, 8, 32], "projected hours": ["7.6", "2.0", "1.0"]}
