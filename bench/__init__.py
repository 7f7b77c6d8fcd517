"""Benchmarks: ``python -m bench <name>`` with name in pages, training, csv.

Each prints its measurements next to a reference measured in the same run, so the ratios
mean something on a shared, noisy machine. Timings never go into the test suite.
"""
