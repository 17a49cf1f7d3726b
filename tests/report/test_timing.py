"""Where and how long runs trained, in a reader's words (fmnist_lab.report.timing)."""
import pytest

from fakes import grid_run

from fmnist_lab import report


def test_where_trained_names_each_machine_once():
    def run(key, name, threads=2, device="cpu"):
        return {"key": key, "provenance": {"device": device, "device_name": name, "threads": threads, "wall_seconds": 1.0}}

    same = [run("a", "AMD EPYC"), run("b", "AMD EPYC")]
    assert report.where_trained(same) == "2 threads of an AMD EPYC"
    mixed = same + [run("c", "x86_64"), run("d", "H200", device="cuda")]
    assert report.where_trained(mixed) == ("2 threads of an AMD EPYC (2 runs), 2 threads of an unnamed x86-64 CPU (1 run) "
                                     "and a GPU (H200) (1 run)")


def test_timing_note_says_when_times_mix_machines_without_naming_them():
    one = [grid_run("a", 0.8), grid_run("b", 0.8)]
    assert report.timing_note(one) == "all timed on one machine"
    mixed = report.timing_note([*one, grid_run("c", 0.8, device_name="Other CPU")])
    assert mixed == "timed on 2 different machines, so indicative only" and "CPU" not in mixed  # named once, in the appendix
    single = grid_run("d", 0.8)
    single["provenance"] = {**single["provenance"], "threads": 1}
    assert report.timing_note([*one, single]) == "timed with different thread counts, so indicative only"  # one CPU, not two machines


@pytest.mark.parametrize("name, title", [("Intel(R) Xeon(R) Processor", "Intel Xeon"), ("AMD EPYC", "AMD EPYC"),
                                         ("AMD EPYC 7B13 64-Core Processor", "AMD EPYC 7B13"),
                                         ("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", "Intel Core i7-8700 CPU"),
                                         ("x86_64", "unnamed x86-64 CPU"), ("", "unnamed x86-64 CPU")])
def test_cpu_title_reads_as_a_reader_names_a_processor(name, title):
    assert report.cpu_title(name) == title


def test_where_trained_uses_the_readers_cpu_name():
    def run(key, name, threads=2, device="cpu"):
        return {"key": key, "provenance": {"device": device, "device_name": name, "threads": threads}}

    mixed = [run("a", "Intel(R) Xeon(R) Processor"), run("b", "Intel(R) Xeon(R) Processor"), run("c", "AMD EPYC", 1)]
    assert report.where_trained(mixed) == "2 threads of an Intel Xeon (2 runs) and 1 thread of an AMD EPYC (1 run)"
    assert report.where_trained([run("g", "NVIDIA H200", device="cuda")]) == "a GPU (NVIDIA H200)"


def test_two_thread_minutes_says_where_and_how_many_seeds_were_timed_there():
    runs = [grid_run("a", 0.8), grid_run("b", 0.8), grid_run("c", 0.8, device_name="Other CPU")]  # 2.0 s of wall time each
    minutes, where = report.two_thread_minutes(runs)
    assert minutes == pytest.approx(2.0 / 60) and where == "2 threads of a Test CPU, 2 of 3 seeds"
    one_thread = grid_run("d", 0.8)
    one_thread["provenance"] = {**one_thread["provenance"], "threads": 1}
    assert report.two_thread_minutes([one_thread])[1] == ""


def test_time_versus_refuses_a_ratio_between_two_cpus_even_when_some_seeds_ran_elsewhere():
    here, elsewhere = [grid_run("a", 0.8), grid_run("b", 0.8)], [grid_run("c", 0.8, device_name="Other CPU")]
    assert report.time_versus(here, here[:1]).endswith("minutes per seed, on one machine")
    assert report.time_versus(here, elsewhere).endswith("on different CPUs: not comparable")
    partly = [grid_run("d", 0.8), grid_run("e", 0.8), grid_run("f", 0.8, device_name="Other CPU")]
    assert report.time_versus(here, partly).endswith("on one machine")  # the machine of the two-thread majority, not the seed count
