"""Benchmarks: `make bench` (or `python -m benchmarks [name ...]`); results go to BENCHMARKS.md."""
