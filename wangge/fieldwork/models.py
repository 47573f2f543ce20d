"""Field work (the worker's phone): models."""
