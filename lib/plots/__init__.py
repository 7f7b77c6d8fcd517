"""Plotly figure builders, one module per lesson. They return figures and never call st.*."""
