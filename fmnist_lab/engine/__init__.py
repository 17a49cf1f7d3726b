"""The engine: choices, configs and their keys, data, augmentation, models, the training loop,
scikit-learn fits, checkpoints and provenance. It knows nothing of the store, a study or a chapter."""
