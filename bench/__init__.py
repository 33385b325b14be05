"""Liaison's benchmarks: each figure next to a floor measured in the same run.

Run with `python -m bench` (or `make bench`); see bench/README.md.
"""
