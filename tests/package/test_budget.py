"""The test suite's budget check (the repository's conftest.py): a file over its share is named with its seconds."""
import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location("root_conftest", Path(__file__).resolve().parents[2] / "conftest.py")
root_conftest = importlib.util.module_from_spec(spec)
spec.loader.exec_module(root_conftest)


def test_a_file_over_its_share_of_the_budget_is_named_with_its_seconds():
    seconds = {"book/12_beyond_accuracy.md": 91.0, "tests/engine/test_train.py": 20.0, "book/09_cnn.md": 76.4}
    assert root_conftest.slow_files(seconds, budget=300, share=0.25) == ["book/12_beyond_accuracy.md: 91 s", "book/09_cnn.md: 76 s"]
    assert root_conftest.slow_files(seconds, budget=1000, share=0.25) == []
