"""From an uploaded CSV to a trained, evaluated model and the script that reproduces it.

reading (refuse, decode, sniff, parse) → values (formatted numbers, placeholders) → profile
→ preprocess → pipeline (train, evaluate, baseline) → export (model, predictions, script);
cli runs the same steps without a browser.
"""
