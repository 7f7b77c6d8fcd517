"""Serving ClassLab to a class: ``python -m deploy`` (see deploy/launcher.py)."""
