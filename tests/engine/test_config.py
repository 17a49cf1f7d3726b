"""`RunConfig` (fmnist_lab.engine.config): validation in one clear line, and keys that stay stable
until a field that matters is set."""
import pytest

from fmnist_lab.engine.config import REFERENCE, RunConfig
from fmnist_lab.runs import studies


@pytest.mark.parametrize("field, value, fragment", [
    ("optimizer", "adamax", "optimizer='adamax'"),
    ("lr", -1e-3, "positive number"),
    ("lr", 0, "positive number"),
    ("dropout", 1.0, "[0, 1)"),
    ("hidden", (256, 0), "positive integer"),
    ("batch_size", 12.5, "positive integer"),
    ("augment", ("hflip", "mixup"), "augment='mixup'"),
    ("seed", True, "seed"),
    ("normalization", "minmax", "normalization"),
    ("weight_decay", -0.1, "weight_decay"),
    ("teacher", "best-cnn", "16-hex-digit run key"),
    ("distill_weight", 1.5, "[0, 1]"),
    ("distill_temperature", 0, "positive number"),
    ("refit", True, "early_stopping='none'"),
    ("refit", 1, "True or False"),
])
def test_invalid_values_raise_clear_value_errors(field, value, fragment):
    with pytest.raises(ValueError) as err:
        REFERENCE.replace(**{field: value})
    assert fragment in str(err.value) and field in str(err.value)


def test_key_is_stable_and_independent_of_input_form():
    # A changed value here means every stored result silently stops matching: bump ENGINE_VERSION
    # on purpose and retrain, never by accident.
    assert REFERENCE.key() == "af3e3bc92e20ec5b"
    assert RunConfig.from_dict(REFERENCE.to_dict()) == REFERENCE
    assert RunConfig(hidden=[256, 256]).key() == REFERENCE.key()


def test_key_changes_with_any_field_and_seed():
    keys = {REFERENCE.key(), REFERENCE.replace(seed=1).key(), REFERENCE.replace(lr=2e-3).key(),
            REFERENCE.replace(augment=("hflip",)).key()}
    assert len(keys) == 4


def test_distillation_settings_count_only_with_a_teacher():
    # Without a teacher they change nothing, so they must not change the key (which also keeps
    # every run stored before distillation existed valid); with one, each of them does.
    assert REFERENCE.replace(distill_weight=0.5).key() == REFERENCE.key()
    taught = REFERENCE.replace(teacher="0123456789abcdef")
    keys = {REFERENCE.key(), taught.key(), taught.replace(distill_weight=0.5).key(),
            taught.replace(distill_temperature=2.0).key()}
    assert len(keys) == 4
    assert "teacher=0123456789abcdef" in taught.label() and "distill" not in REFERENCE.replace(distill_weight=0.5).label()


def test_refit_counts_in_the_key_only_when_on():
    refit = REFERENCE.replace(refit=True, early_stopping="none")
    assert REFERENCE.replace(refit=False).key() == REFERENCE.key()
    assert refit.key() != REFERENCE.replace(early_stopping="none").key()
    assert "refit=True" in refit.label()


def test_unknown_fields_are_rejected():
    with pytest.raises(ValueError, match="unknown RunConfig fields: colour"):
        RunConfig.from_dict({**REFERENCE.to_dict(), "colour": "red"})


def test_label_names_what_differs_from_reference():
    assert REFERENCE.replace(lr=0.1, seed=2).label() == "mlp 256x256 lr=0.1 seed=2"


def test_val_size_is_left_out_of_the_key_until_set_and_only_smoke_sets_it():
    from fmnist_lab.runs import experiments

    base = RunConfig()
    assert "val_size" not in base.canonical_json()  # every stored run keeps its key
    assert base.replace(val_size=2000).key() != base.key()
    assert experiments.shrink(base, experiments.PROFILES["smoke"]).val_size == experiments.PROFILES["smoke"].val_size < 10_000
    assert experiments.shrink(base, experiments.PROFILES["full"]).val_size is None
    assert experiments.shrink(base.replace(refit=True, early_stopping="none"), experiments.PROFILES["smoke"]).val_size is None


def test_new_fields_leave_every_stored_key_alone_until_set():
    assert REFERENCE.key() == "af3e3bc92e20ec5b" and studies.BEST_MLP.key() == "c2dbbc5167a6ba77"
    assert "mixup" not in REFERENCE.canonical_json() and "ema" not in REFERENCE.canonical_json()
    keys = {REFERENCE.key(), REFERENCE.replace(mixup=0.2).key(), REFERENCE.replace(ema=0.999).key(),
            REFERENCE.replace(mixup=0.2, ema=0.999).key()}
    assert len(keys) == 4


@pytest.mark.parametrize("field,value", [("mixup", -0.1), ("mixup", True), ("ema", 1.0), ("ema", -0.5)])
def test_invalid_trick_settings_are_refused_in_one_line(field, value):
    with pytest.raises(ValueError, match=f"RunConfig.{field}="):
        RunConfig(**{field: value})
