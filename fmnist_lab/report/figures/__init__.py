"""The book's figure types, each returning a matplotlib Figure; pages call `figures.curves(...)`.

One style (`style.use_style`), one width rule; each submodule holds one family of figures."""
from .classes import confusion_difference, confusion_matrix, per_class_bars  # noqa: F401
from .groups import (  # noqa: F401
    accuracy_and_gap,
    against_size,
    efficiency,
    gains,
    grouped_bars,
    grouped_points,
    heatmap,
    moved_accuracy,
    panels,
    study_heatmap,
    sweep,
)
from .images import (  # noqa: F401
    augmentation_grid,
    class_counts,
    image_grid,
    misclassified,
    pca_scatter,
    pixel_statistics,
)
from .learned import reliability, tsne_maps, weight_images  # noqa: F401
from .style import PALETTE, PALETTE_NAME, POINT, STYLE, TEXT_SIZE, WIDTH, plain_log, plain_number, use_style  # noqa: F401
from .training import (  # noqa: F401
    METRIC_NAMES,
    compare_curves,
    curves,
    layer_histograms,
    loss_and_accuracy,
    metric_name,
    per_layer,
    schedule_curves,
    stopping_points,
)
from .frontier import frontier_axis, frontier_figure, gains_figure, seed_rows  # noqa: F401
