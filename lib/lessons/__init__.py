"""One module per lesson: the numbers each page shows, computed from ``lib.core``.

encoding, sigmoid, threshold, bce (with the SGD paths), softmax, cross_entropy, metrics and
lab. Each returns plain data (numbers, tables, code text); the pages draw it with
``lib.plots`` and ``lib.ui``.
"""
