"""How configurations are named for a reader (fmnist_lab.engine.labels)."""
from fmnist_lab.engine import labels
from fmnist_lab.engine.config import REFERENCE
from fmnist_lab.runs import studies


def test_described_names_the_network_and_how_long_it_trained():
    assert labels.described(REFERENCE) == "the reference MLP"
    assert labels.described(studies.OVERFIT) == "a 2 × 512 MLP, 20 epochs, last epoch kept"
    assert labels.described(studies.SCHEDULE_BASE) == "the reference MLP, all 20 epochs, best epoch restored"
    assert labels.described(REFERENCE.replace(hidden=studies.DEEP)) == "a 6 × 256 MLP"
    assert labels.described(REFERENCE.replace(epochs=50)) == "the reference MLP, up to 50 epochs, patience 5"
