"""Streamlit glue shared by the pages: the session-state schema, shared widgets, cached loaders.

This is the only part of ``lib`` that may import streamlit. Importing it changes nothing
process-wide: every page's header calls :func:`lib.runtime.configure_process`.
"""
