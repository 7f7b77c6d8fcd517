"""ClassLab's engine: pure Python + torch / pandas / numpy / scikit-learn / plotly.

    lib/core/     the engine learners read (activations, losses, models, training, metrics, datasets)
    lib/lessons/  what each lesson computes, on top of core
    lib/tabular/  the own-CSV road: reading, profiling, preprocessing, pipeline, export, CLI
    lib/plots/    figure builders: they receive numbers and draw
    lib/ui/       Streamlit glue (the only part that imports streamlit)
    catalog.py    the learning path: every page's path and title, written once
    runtime.py    process-wide settings, applied by an explicit call

Imports point downward only (tests/test_layering.py checks).
"""
