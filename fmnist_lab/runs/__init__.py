"""Runs: the results store, executors (in process, N workers, Dask), profiles, load-or-train,
the study declarations and the engine benchmark. It never words a number for a reader."""
