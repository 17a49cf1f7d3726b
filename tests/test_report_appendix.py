"""The appendix's tables (cost per chapter, machines, benchmark) and the phrase helpers chapter 9 glues."""
import numpy as np
import pytest

from fmnist_lab.chapters import appendix as appendix_page
from fmnist_lab import report
from fmnist_lab.analysis import metrics


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
        "AMD EPYC, 2 threads": 2, "unnamed x86-64 CPU, 2 threads": 1, "Intel Xeon, 1 thread": 1}
    assert frame["machine"].iloc[0] == "AMD EPYC, 2 threads"  # the busiest machine first
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


@pytest.mark.parametrize("value, text", [(1.2866e-7, "1.3 × 10⁻⁷"), (0.5, "0.5"), (0, "0"), (2.5e5, "2.5 × 10⁵"),
                                         (-3e-12, "−3.0 × 10⁻¹²"), (1e-3, "1.0 × 10⁻³")])
def test_scientific(value, text):
    assert report.scientific(value) == text


def test_glue_mcnemar_phrases(glued):
    y = np.array([0, 1, 2, 3, 4, 5])
    a = [np.array([0, 1, 2, 3, 0, 0]), np.array([0, 1, 2, 0, 0, 0])]  # seed 0 and 1 of A
    b = [np.array([0, 0, 0, 0, 4, 0]), np.array([0, 0, 2, 0, 0, 5])]
    mc = report.glue_mcnemar("mc", y, a, b)
    assert mc["pairs"] == 2 and mc["a_only_min"] == 1 and mc["a_only_max"] == 3
    assert glued["mc_a_only"] == "between 1 and 3 images" and glued["mc_pairs"] == "2 pairs"
    assert glued["mc_b_only"] == "1 image"  # equal ends: one number, singular
    assert glued["mc_n_a_only"] == 1 and glued["mc_n_b_only"] == 0  # image 1 only; none the other way


def test_glue_class_gains_names_the_largest_and_smallest_gains(glued, monkeypatch):


    mean_a, mean_b = np.linspace(0.70, 0.97, 10), np.linspace(0.70, 0.97, 10)
    mean_a[2] += 0.05  # Pullover gains most
    mean_a[6] += 0.02  # Shirt next
    mean_a[3] -= 0.01  # Dress loses
    fake = {"a": (mean_a, np.zeros(10)), "b": (mean_b, np.zeros(10))}
    monkeypatch.setattr("fmnist_lab.report.glue.per_class_mean_std", lambda results: fake[results])
    gain = report.glue_class_gains("gain", "a", "b")
    assert gain[2] == pytest.approx(5.0)
    assert (glued["gain_1"], glued["gain_2"], glued["gain_last"]) == ("Pullover", "Shirt", "Dress")
    assert (glued["gain_1_pts"], glued["gain_last_pts"]) == ("+5.0", "\u22121.0")
    assert glued["gain_worst"] == "T-shirt/top" and glued["gain_worst_a"] == pytest.approx(0.70)


def test_chapter_title_finds_a_page_of_the_book_by_name(tmp_path):
    write_chapter(tmp_path, "03_x", "Depth and width")
    assert appendix_page.chapter_title("03_x", book=tmp_path) == "Depth and width"
    assert appendix_page.chapter_title("09_cnn")  # the real book, wherever the process runs
