"""Benchmarks: `make bench` runs them all; `.venv/bin/python -m bench.<name>` runs one.

See docs/performance.md. Figures are ratios against baselines measured in the same run.
"""
