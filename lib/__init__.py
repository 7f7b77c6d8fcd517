"""ClassLab's engine: pure Python + torch / pandas / numpy / scikit-learn / plotly.

Nothing in this package except ``lib.ui`` imports streamlit (tests/test_layering.py checks).
"""
