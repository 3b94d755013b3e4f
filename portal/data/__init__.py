"""The data layer: models and the query functions that alone touch them."""
