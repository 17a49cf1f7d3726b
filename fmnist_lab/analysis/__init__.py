"""Analysis of stored runs and saved models: statistics, cost, metrics, calibration, robustness,
the frontier and the leaderboard, predictions and learned features. It glues, draws and words nothing."""
