"""The report layer: how results read in the book (numbers, phrases, tables, glue); `figures` draws them.

It computes no statistic (that is `analysis`). Pages call `report.pct(...)`, `report.glue_comparison(...)`:
this module gathers the layer's text helpers so a page needs one import; each lives in one submodule."""
from .comparisons import (  # noqa: F401
    above,
    against_one_run,
    compare,
    noise_verdict,
    paired,
    points,
    seeds_ahead,
    shown_points,
    target_verdict,
    unpaired,
    verdict,
    widest,
)
from .format import (  # noqa: F401
    MINUS,
    above_below,
    join,
    number,
    pct,
    plural,
    pm,
    scientific,
    signed,
    slug,
    span,
    thousands,
)
from .glue import (  # noqa: F401
    glue_against_control,
    glue_comparison,
    glue_class_gains,
    glue_compute,
    glue_groups,
    glue_markdown,
    glue_mcnemar,
    glue_minutes,
    glue_numbers,
    glue_pick,
    glue_signed,
    glue_spread,
    glue_stats,
    glue_stopping,
    glue_summaries,
    glue_summary,
    glue_table,
    glue_timing,
)
from .settings import AUGMENTATION_TITLES, FIELD_TITLES, config_changes, optimizer_title, setting_text  # noqa: F401
from .tables import (  # noqa: F401
    epochs_cell,
    grid_table,
    markdown_table,
    params_cell,
    seconds_cell,
    selected_table,
    summary_table,
    val_cell,
)
from .timing import cpu_title, time_versus, timing_note, two_thread_minutes, where_trained
