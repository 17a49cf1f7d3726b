"""Hidden features, t-SNE maps and first-layer weights (fmnist_lab.analysis.features) of (untrained, tiny) networks."""
import numpy as np
import pytest
import torch

from fmnist_lab.analysis import features
from fmnist_lab.engine import data as fdata
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.engine.models import build_model


@pytest.fixture(scope="module")
def split():
    return fdata.load()


def tiny(**fields) -> tuple[torch.nn.Module, RunConfig]:
    cfg = RunConfig(**fields)
    torch.manual_seed(0)
    return build_model(cfg).eval(), cfg


@pytest.mark.parametrize("fields, width", [(dict(hidden=(32, 16), dropout=0.5, batchnorm=True), 16),
                                           (dict(model="cnn", channels=(4, 8)), 8 * 7 * 7)])
def test_hidden_features_are_what_the_last_layer_classifies(split, fields, width):
    model, cfg = tiny(**fields)
    images = split.test_images[:50]
    found = features.hidden_features(model, cfg, images, batch=16)  # batches must not change anything
    assert found.shape == (50, width)
    from fmnist_lab.engine.train import as_unit_float, input_scaling

    shift, scale = input_scaling(cfg, split)
    with torch.no_grad():
        logits = model((as_unit_float(images, torch.device("cpu")) - shift) / scale)
        assert torch.allclose(model[-1](torch.as_tensor(found, dtype=torch.float32)), logits, atol=1e-5)


def test_a_network_without_a_final_linear_layer_is_refused(split):
    with pytest.raises(TypeError, match="ending in a Linear layer"):
        features.hidden_features(torch.nn.Sequential(torch.nn.Flatten()), RunConfig(), split.test_images[:2])


def test_first_layer_weights_are_one_image_per_unit():
    model, _ = tiny(hidden=(12,))
    weights = features.first_layer_weights(model)
    assert weights.shape == (12, 28, 28)
    first = model[1].weight.detach().double().numpy()
    assert np.array_equal(weights[5], first[5].reshape(28, 28))  # row 5 of the layer, pixel order kept
    cnn, _ = tiny(model="cnn", channels=(4, 8))
    with pytest.raises(TypeError, match="convolution"):
        features.first_layer_weights(cnn)


def test_the_test_subset_is_fixed_and_in_test_order(split):
    images, labels = features.test_subset(split, 100)
    again, _ = features.test_subset(split, 100)
    assert images.shape == (100, 28, 28) and torch.equal(images, again)
    # the same images the test split holds, in its order
    index = [next(i for i in range(len(split.test_images)) if torch.equal(split.test_images[i], img)) for img in images[:3]]
    assert index == sorted(index) and labels[0] == split.test_labels[index[0]]
    assert not torch.equal(features.test_subset(split, 100, seed=1)[0], images)


def clusters(n: int = 150, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    return rng.normal(size=(n, 20)) + 8 * np.eye(20)[labels], labels


def test_tsne_gives_one_point_per_row_the_same_every_time():
    points, labels = clusters()
    first, second = features.tsne(points), features.tsne(points)
    assert first.shape == (150, 2)
    assert np.array_equal(first, second)
    assert features.neighbour_agreement(first, labels) > 0.95  # separated clusters stay apart


def test_neighbour_agreement_tells_clusters_from_noise():
    points, labels = clusters()
    assert features.neighbour_agreement(points, labels) == 1.0
    shuffled = np.random.default_rng(3).permutation(labels)
    assert features.neighbour_agreement(points, shuffled) < 0.5


def test_raw_pixels_are_rows_in_unit_range(split):
    x = features.pixels(split.test_images[:4])
    assert x.shape == (4, 784) and x.min() >= 0 and x.max() <= 1 and x.max() > 0.5
