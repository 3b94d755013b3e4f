"""Background jobs on RQ: queue names, enqueueing, and the worker."""
