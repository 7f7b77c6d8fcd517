"""Streamlit glue shared by the pages: the session-state schema, shared widgets, cached loaders.

This is the only part of ``lib`` that may import streamlit.
"""
