"""Per-layer helpers of chapters 5 and 06: diagnostics.per_layer_factor, diagnostics.dead_units
(from a saved checkpoint) and figures.panels (side-by-side per-layer or curve panels, one legend)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from fmnist_lab.analysis import diagnostics
from fmnist_lab.report import figures
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.engine.data import load
from fmnist_lab.runs.store import Store


def test_per_layer_factor_is_the_geometric_mean_ratio():
    assert diagnostics.per_layer_factor([1.0, 10.0, 100.0, 1000.0]) == pytest.approx(10.0)
    assert diagnostics.per_layer_factor([8.0, 1.0, 2.0]) == pytest.approx(0.5)  # only the ends matter
    x, _ = diagnostics.probe_batch(load(), RunConfig(hidden=(256,) * 6), n=256)
    grows = diagnostics.activation_std(RunConfig(hidden=(256,) * 6, init="normal1"), x)
    assert 8 < diagnostics.per_layer_factor(grows) < 15  # theory for ReLU, fan-in 256: sqrt(128) = 11.3


def test_dead_units_compares_the_checkpoint_with_a_fresh_model(tmp_path):
    cfg = RunConfig(hidden=(32, 32), seed=0)
    store = Store(tmp_path)
    trained = diagnostics.fresh_model(cfg)
    with torch.no_grad():
        trained[1].bias[:8] = -1e6  # a quarter of layer 1's units can never fire
    store.save_checkpoint(cfg, trained)
    dead = diagnostics.dead_units({"small": cfg}, load(), store)
    assert list(dead.columns) == ["network", "layer", "dead at init %", "dead after training %"]
    assert dead["layer"].tolist() == [1, 2] and set(dead["network"]) == {"small"}
    assert dead.loc[0, "dead after training %"] >= 25.0
    assert dead.loc[0, "dead at init %"] < 25.0


def test_panels_share_the_y_axis_and_put_one_legend_below():
    values = {"left": {"a": [1.0, 2.0, 4.0], "b": [1.0, 1.0, 1.0]}, "right": {"a": [1.0, 1.0, 1.0], "b": [2.0, 2.0, 2.0]}}
    fig = figures.panels(figures.per_layer, values, "scale", ylim=(0.5, 5))
    left, right = fig.axes
    assert (left.get_title(), right.get_title()) == ("left", "right")
    assert left.get_ylim() == right.get_ylim() == pytest.approx((0.5, 5))
    assert left.get_legend() is None and right.get_legend() is None
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["a", "b"]
    plt.close(fig)


def test_panels_leave_a_metric_shared_by_every_entry_to_the_axis_label():
    def run(acc):
        return {"history": {"val_acc": acc}, "final_epoch": len(acc)}
    groups = {"plain": {"Adam": [run([0.8, 0.9])], "SGD": [run([0.7, 0.8])]}, "bn": {"Adam": [run([0.8, 0.85])], "SGD": [run([0.6, 0.8])]}}
    fig = figures.panels(figures.curves, groups, ("val_acc",), "validation accuracy (%)")
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["Adam", "SGD"]
    assert fig.axes[1].get_ylabel() == ""
    plt.close(fig)
