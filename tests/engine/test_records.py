"""What a finished run records besides its numbers (fmnist_lab.engine.records): the confusion counts
(rows: the true class), the predictions' one-digit encoding, and where the run trained."""
from datetime import datetime

import torch

from fmnist_lab.engine import records


def test_confusion_counts_rows_by_true_class_and_columns_by_prediction():
    truth = torch.tensor([0, 0, 0, 1, 9])
    guess = torch.tensor([0, 1, 1, 1, 3])
    counts = records.confusion(truth, guess)
    assert len(counts) == 10 and all(len(row) == 10 for row in counts)
    assert counts[0][:2] == [1, 2] and counts[1][1] == 1 and counts[9][3] == 1
    assert counts[1][0] == 0 and counts[3][9] == 0  # not transposed
    assert sum(map(sum, counts)) == len(truth)


def test_predictions_are_one_digit_per_image_in_order():
    assert records.encode_predictions(torch.tensor([3, 0, 9, 9, 1])) == "30991"


def test_provenance_names_the_device_its_threads_and_a_timezone_aware_start():
    p = records.provenance(torch.device("cpu"))
    assert p["device"] == "cpu" and p["device_name"] == records.cpu_name() and p["device_name"]
    assert p["threads"] == torch.get_num_threads() and p["torch_version"] == torch.__version__
    assert datetime.fromisoformat(p["started_at"]).utcoffset() is not None
