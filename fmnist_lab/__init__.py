"""fmnist_lab: the engine behind the Fashion-MNIST MLP book."""
__version__ = "0.1.0"
