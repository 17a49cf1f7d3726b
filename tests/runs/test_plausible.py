"""Whether a record's values are possible (fmnist_lab.runs.plausible): a real run passes; each kind
of impossible value is refused naming its field."""
import copy

import pytest

from fakes import result  # noqa: F401  (fixtures)

from fmnist_lab.runs.plausible import CorruptResult, check_values


def test_a_real_run_is_plausible(result):
    check_values(result)


@pytest.mark.parametrize("change, field", [
    (lambda r: r["test"].update(acc=1.5), "test.acc"),
    (lambda r: r["history"]["val_acc"].__setitem__(0, -0.1), "history.val_acc[0]"),
    (lambda r: r.update(final_epoch=r["epochs_run"] + 1), "final_epoch"),
    (lambda r: r.update(params=-1), "params"),
    (lambda r: r["provenance"].update(wall_seconds=float("nan")), "provenance.wall_seconds"),
    (lambda r: r["history"]["val_acc"].pop(), "unequal lengths"),
    (lambda r: r.update(epochs_run=r["epochs_run"] + 1), "epochs_run"),
])
def test_an_impossible_value_is_refused_naming_its_field(result, change, field):
    broken = copy.deepcopy(result)
    change(broken)
    with pytest.raises(CorruptResult, match=field.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        check_values(broken)
