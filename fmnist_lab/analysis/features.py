"""What a trained network has learned: the features it hands its classifier, mapped to 2-D, and the
first layer's weights as images.

A network's last Linear layer is a linear classifier; everything before it turns pixels into the
features that classifier separates. `hidden_features` returns that input (the best MLP's last hidden
layer after its activation, a CNN's flattened pooled maps), `tsne` lays any such features out in 2-D
(scikit-learn's t-SNE), and `neighbour_agreement` measures in the features themselves how often an
image's nearest neighbours share its class, a number for what a t-SNE picture only suggests.
Evaluation only: nothing is trained.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits
from torch import nn

from ..engine.checkpoints import load_checkpoint
from ..engine.config import RunConfig
from ..engine.data import FashionMNIST, load
from ..engine.data import test_subset as fixed_test_subset
from ..runs.derived import Analysis, weights_checksum
from ..runs.experiments import current_profile
from .predictions import model_inputs

SUBSET_SIZES = {"full": 2000, "smoke": 300}  # test images in the t-SNE pictures, per profile
SUBSET_SEED = 12  # fixes which test images those are
PCA_DIMS = 50  # t-SNE runs on the first principal components: the usual speed-up, same neighbourhoods
NEIGHBOURS = 10  # for `neighbour_agreement`


def subset_size() -> int:
    """How many test images the pictures use in the current profile."""
    return SUBSET_SIZES.get(current_profile().name, SUBSET_SIZES["full"])


def test_subset(data: FashionMNIST, n: int | None = None, seed: int = SUBSET_SEED) -> tuple[torch.Tensor, torch.Tensor]:
    """The pictures' fixed random subset of `n` test images (uint8, in test-set order) and their labels."""
    return fixed_test_subset(data, n or subset_size(), seed)


def _body(model: nn.Module) -> nn.Sequential:
    """Everything before the model's last layer, which must be a Linear classifier."""
    if not isinstance(model, nn.Sequential) or not isinstance(model[-1], nn.Linear):
        raise TypeError(f"expected a network ending in a Linear layer (an nn.Sequential from models.build_model), "
                        f"got {type(model).__name__}")
    return model[:-1]


@torch.no_grad()
def hidden_features(model: nn.Module, cfg: RunConfig, images: torch.Tensor, batch: int = 1024) -> np.ndarray:
    """The input of the network's last Linear layer (eval mode) for uint8 (N, 28, 28) `images`."""
    body, x = model_inputs(_body(model), cfg, images)
    return torch.cat([body(x[start:start + batch]) for start in range(0, len(x), batch)]).double().numpy()


def pixels(images: torch.Tensor) -> np.ndarray:
    """Raw pixels in [0, 1], one row of 784 per image: the features of no network at all."""
    return images.reshape(len(images), -1).double().numpy() / 255


def tsne(features: np.ndarray, perplexity: float = 30.0) -> np.ndarray:
    """A 2-D t-SNE map of `features` (one row per image): first reduced to `PCA_DIMS` principal
    components, then t-SNE initialised from their first two (so no random start) with a fixed
    random state, on one thread: the same map on every run, whatever the machine's core count."""
    features = np.asarray(features, dtype=np.float64)
    dims = min(PCA_DIMS, *features.shape)
    with threadpool_limits(limits=1):
        reduced = PCA(n_components=dims, random_state=0).fit_transform(features)
        return TSNE(n_components=2, perplexity=min(perplexity, (len(features) - 1) / 3), init="pca",
                    learning_rate="auto", random_state=0, n_jobs=1).fit_transform(reduced)


def neighbour_agreement(features: np.ndarray, labels: np.ndarray, k: int = NEIGHBOURS) -> float:
    """How often an image's `k` nearest neighbours in feature space (Euclidean, itself excluded)
    have its class: 1.0 when every class forms its own tight cluster, about 0.1 for noise."""
    labels = np.asarray(labels)
    _, nearest = NearestNeighbors(n_neighbors=k + 1).fit(features).kneighbors(features)
    return float((labels[nearest[:, 1:]] == labels[:, None]).mean())


def first_layer_weights(model: nn.Module) -> np.ndarray:
    """The weights of an MLP's first Linear layer as one 28 × 28 image per hidden unit: (units, 28, 28)."""
    first = next((m for m in model.modules() if isinstance(m, nn.Linear)), None)
    if first is None or first.in_features != 28 * 28:
        raise TypeError("expected an MLP whose first Linear layer reads the 784 pixels; "
                        "a CNN's first layer is a convolution: draw its filters instead")
    return first.weight.detach().double().numpy().reshape(-1, 28, 28)


def maps_analysis(networks: dict[str, Path]) -> Analysis:
    """t-SNE maps (`tsne`) and neighbour agreement (`neighbour_agreement`) of the pictures' test subset
    as raw pixels and as each saved network's last features (reader's name -> checkpoint), as a
    stored analysis keyed by the weights' checksums: {name: {"map": [[x, y], ...], "agreement": a,
    "values": feature count}}."""
    params = {"images": subset_size(), "seed": SUBSET_SEED, "pca": PCA_DIMS, "neighbours": NEIGHBOURS, "perplexity": 30.0,
              "networks": list(networks)}

    def compute() -> dict[str, Any]:
        images, labels = test_subset(load())
        features = {"raw pixels": pixels(images),
                    **{name: hidden_features(*load_checkpoint(path), images) for name, path in networks.items()}}
        return {name: {"map": tsne(x), "agreement": neighbour_agreement(x, labels.numpy()), "values": x.shape[1]}
                for name, x in features.items()}

    return Analysis("learned_maps", 1, params, tuple(f"{name}={weights_checksum(path)}" for name, path in networks.items()),
                    compute, chapter="12_beyond_accuracy")
