"""The engine learners read: activations, losses, models, training, metrics, datasets.

Small enough to read in one sitting. It imports nothing else of ``lib`` (the layering test
checks): the lessons, the CSV pipeline and the figures are built on top of it.
"""
