"""Calibration of saved networks as one stored analysis (fmnist_lab.analysis.saved_calibration): keyed
by the weights it scores, so a changed checkpoint is scored again and nothing stale is read."""
from fmnist_lab.analysis import saved_calibration
from fmnist_lab.runs.store import Store


def test_the_key_follows_the_weights_and_the_groups_and_nothing_is_scored_when_declared(tmp_path):
    store = Store(tmp_path)
    for key in ("a", "b"):
        store.checkpoint_path(key).parent.mkdir(parents=True, exist_ok=True)
        store.checkpoint_path(key).write_bytes(key.encode())
    declared = saved_calibration.analysis({"plain": ["a", "b"]}, "plain", "ensemble", store)  # computes nothing yet
    assert declared.chapter == "12_beyond_accuracy" and len(declared.inputs) == 2
    same = saved_calibration.analysis({"plain": ["a", "b"]}, "plain", "ensemble", store)
    assert same.key() == declared.key()  # declared again, read again: nothing is scored twice
    assert saved_calibration.analysis({"plain": ["b", "a"]}, "plain", "ensemble", store).key() != declared.key()  # the curves are the first seed's
    store.checkpoint_path("b").write_bytes(b"retrained")
    assert saved_calibration.analysis({"plain": ["a", "b"]}, "plain", "ensemble", store).key() != declared.key()
    assert saved_calibration.analysis({"smoothed": ["a", "b"]}, "smoothed", "ensemble", store).key() != same.key()
