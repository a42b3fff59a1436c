"""Compute: the scheduler and its executors (local processes now, Kubernetes at scale)."""
