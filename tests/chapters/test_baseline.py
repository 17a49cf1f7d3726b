"""Chapter 2's findings (fmnist_lab.chapters.baseline): comparisons with the benchmark's listed numbers."""
from __future__ import annotations

from fmnist_lab.chapters import baseline as baseline_page


def test_against_benchmark_compares_at_the_benchmarks_one_decimal():
    assert baseline_page.against_benchmark(0.8969, "svm") == "matches the 89.7%"  # 89.69% is listed as 89.7%
    assert baseline_page.against_benchmark(0.8870, "mlp") == "1.6 points above the 87.1%"
    assert baseline_page.against_benchmark(0.8650, "mlp") == "0.6 points below the 87.1%"
