"""Shared look of every figure: colour-blind-safe colours, a marker and a dash per class or
path, and text sizes that a classroom can read.

Colour is never the only cue: a class also has its marker (``class_marker``) and a path its
dash (``path_dash``), so a figure still reads in greyscale or with any colour vision.

Text colour is left to the theme. No single colour reaches 4.5:1 against both the light
(white) and the dark background, so figures never set a font colour: Streamlit's plotly theme
colours the text, and the app's stylesheet (``lib.ui.presenter.STYLE``) gives tick labels,
axis titles and annotations the page's own text colour in either theme (Streamlit's grey for
those read 3.7:1 on white). Lines and markers carry the colour, not the text beside them.
"""

from __future__ import annotations

import plotly.graph_objects as go

OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
MARKERS = ("circle", "x", "diamond", "square", "triangle-up", "star", "cross", "pentagon")
# One dash per line of a figure (a training path, a loss, a metric), in the order drawn.
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

# Chart text: at least 14 px on a screen, 18 px on a projector (presenter mode).
FONT_SIZE = 14
PRESENT_FONT_SIZE = 18


def class_color(index: int) -> str:
    return OKABE_ITO[index % len(OKABE_ITO)]


def class_marker(index: int) -> str:
    """The plotly marker symbol of class ``index`` (repeats after ``len(MARKERS)``).

    >>> class_marker(1), class_marker(len(MARKERS) + 1)
    ('x', 'x')
    """
    return MARKERS[index % len(MARKERS)]


def class_style(index: int) -> dict:
    """``marker`` settings for class ``index``: its colour *and* its symbol.

    >>> class_style(0)
    {'color': '#0072B2', 'symbol': 'circle'}
    """
    return {"color": class_color(index), "symbol": class_marker(index)}


def path_dash(index: int) -> str:
    """The dash of the ``index``-th line of a figure (solid, dash, dot …).

    >>> [path_dash(i) for i in range(3)]
    ['solid', 'dash', 'dot']
    """
    return DASHES[index % len(DASHES)]


def font_size(presenting: bool) -> int:
    """Chart text size in px: 18 on a projector, 14 on a screen.

    >>> font_size(True), font_size(False)
    (18, 14)
    """
    return PRESENT_FONT_SIZE if presenting else FONT_SIZE


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """ "#E69F00" → (230, 159, 0), for figures drawn as pixels.

    >>> rgb("#E69F00")
    (230, 159, 0)
    """
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return r, g, b


def relative_luminance(colour: str | tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of ``"#rrggbb"`` or an (r, g, b) triple of 0–255 values.

    >>> relative_luminance("#FFFFFF"), relative_luminance("#000000")
    (1.0, 0.0)
    """
    channels = rgb(colour) if isinstance(colour, str) else colour

    def linear(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a, b) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21); text needs 4.5, graphics 3.

    >>> round(contrast_ratio("#767676", "#FFFFFF"), 2)
    4.54
    """
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(fig: go.Figure, size: int = FONT_SIZE, height: int | None = None) -> go.Figure:
    """``fig`` with every text at least ``size`` px (and ``height`` px tall, if given).

    Streamlit's plotly theme sets the tick labels (12 px), axis titles and legend itself, so
    ``layout.font.size`` alone changes nothing there: each axis, the legend, the title, every
    annotation and each trace's ``textfont`` get their own size. Sizes the figure sets larger
    are kept. ``fig`` is never changed: a figure that needs nothing is returned as it is (the
    check reads its plain dict, ~0.2 ms), otherwise a copy built without plotly's validation
    (~2 ms).

    >>> fig = go.Figure(layout={"xaxis": {"title": {"text": "t"}}}, data=[{"type": "bar", "y": [1]}])
    >>> layout = readable(fig, 18).layout
    >>> layout.xaxis.tickfont.size, layout.xaxis.title.font.size, layout.xaxis.title.text
    (18, 18, 't')
    >>> big = readable(fig, 18)
    >>> readable(big, 18) is big, readable(big, 14) is big
    (True, True)
    """
    layout = fig.layout.to_plotly_json()  # copies
    data = [trace.to_plotly_json() for trace in fig.data]
    changed = _grow(layout, "font", size)
    if height is not None and layout.get("height") != height:
        layout["height"], changed = height, True
    axes = {"xaxis", "yaxis"} | {key for key in layout if _is_axis(key)}
    for trace in data:
        axes |= {_axis_key(trace[ref]) for ref in ("xaxis", "yaxis") if trace.get(ref)}
        if isinstance(trace.get("textfont"), dict):
            changed |= _grow(trace, "textfont", size)
    for key in sorted(axes):
        axis = layout.setdefault(key, {})
        changed |= _grow(axis, "tickfont", size)
        if not isinstance(axis.get("title"), dict):
            axis["title"] = {} if axis.get("title") is None else {"text": axis["title"]}
        changed |= _grow(axis["title"], "font", size)
    changed |= _grow(layout.setdefault("legend", {}), "font", size)
    if isinstance(layout.get("title"), dict):
        changed |= _grow(layout["title"], "font", size + 2)
    for note in layout.get("annotations", ()):
        changed |= _grow(note, "font", size)
    if not changed:
        return fig
    return go.Figure(data=data, layout=layout, _validate=False)


def _grow(parent: dict, key: str, size: int) -> bool:
    """``parent[key]["size"]`` raised to at least ``size`` (the font's other fields kept);
    True if it had to grow."""
    font = parent.get(key) if isinstance(parent.get(key), dict) else {}
    current = font.get("size")
    if isinstance(current, int | float) and current >= size:
        return False
    parent[key] = {**font, "size": size}
    return True


def _is_axis(key: str) -> bool:
    """A layout key naming a cartesian axis.

    >>> [_is_axis(k) for k in ("xaxis", "yaxis12", "legend", "xaxisfoo")]
    [True, True, False, False]
    """
    return key[:5] in ("xaxis", "yaxis") and (key[5:] == "" or key[5:].isdigit())


def _axis_key(ref: str) -> str:
    """A trace's axis reference ("x2") as the layout key ("xaxis2")."""
    return f"{ref[0]}axis{ref[1:]}"


# Named colours, so every lesson means the same blue/orange/… (Okabe–Ito) and the same grey.
BLUE, ORANGE, GREEN, RED = OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[2], OKABE_ITO[5]
GREY = "#999999"
