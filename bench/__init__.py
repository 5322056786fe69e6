"""Benchmark scripts (not tests): ``python -m bench.<name> --help``. Results go to ``bench/results/``."""
