"""The decision regions as an image (PNG, or JPEG live), for the live view while training runs.

The interactive plotly figure (:func:`lib.plots.training.decision_regions`) is rebuilt in the
browser from scratch on every update (Streamlit re-mounts plotly charts), which blocks the
page for a few hundred milliseconds on a modest laptop and delays every click made at that
moment. While the weights change every tick nobody hovers anyway, so the lab shows this
image then (the browser only swaps an ``<img>``) and the interactive figure once paused.
Same colours, same marker shape per class, training points filled and test points open.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from lib.plots.style import class_color, rgb
from lib.plots.training import region_image

SIZE = 440  # pixels per side
MARKER = 5  # marker radius in pixels
_OUTLINE = (34, 34, 34)


def _shape(index: int, x: float, y: float, r: float) -> list[tuple[float, float]] | None:
    """Polygon for the class's marker (None: a circle), in the order of ``style.MARKERS``."""
    kind = index % 8
    if kind == 0:
        return None
    if kind == 1:  # x
        t = r * 0.35
        return [(x - r, y - r + t), (x - r + t, y - r), (x, y - t), (x + r - t, y - r),
                (x + r, y - r + t), (x + t, y), (x + r, y + r - t), (x + r - t, y + r),
                (x, y + t), (x - r + t, y + r), (x - r, y + r - t), (x - t, y)]  # fmt: skip
    if kind == 2:  # diamond
        return [(x, y - r * 1.2), (x + r, y), (x, y + r * 1.2), (x - r, y)]
    if kind == 3:  # square
        return [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
    if kind == 4:  # triangle up
        return [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)]
    angles = {5: 10, 6: 4, 7: 5}[kind]  # star, cross, pentagon as regular shapes
    step = np.pi / angles if kind == 5 else 2 * np.pi / angles
    count = 2 * angles if kind == 5 else angles
    points = []
    for i in range(count):
        radius = r * (1.25 if kind != 5 or i % 2 == 0 else 0.55)
        a = -np.pi / 2 + i * step
        points.append((x + radius * np.cos(a), y + radius * np.sin(a)))
    return points


def points_layer(
    bounds: tuple[float, float, float, float],
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    size: int = SIZE,
) -> Image.Image:
    """The points alone on a transparent ``size``² image; ``bounds`` = (x0, x1, y0, y1) of the
    map. The points never move while a lab trains, so a live view draws this once and lays
    it over each new map (drawing every marker took most of a frame)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    x0, x1, y0, y1 = bounds

    def pixel(p: np.ndarray) -> tuple[float, float]:
        return ((p[0] - x0) / (x1 - x0) * (size - 1), (y1 - p[1]) / (y1 - y0) * (size - 1))

    for X, y, hollow in ((X_train, y_train, False), (X_test, y_test, True)):
        for point, label in zip(X, y, strict=True):
            c = int(label)
            colour = rgb(class_color(c))
            px, py = pixel(point)
            fill = None if hollow else colour
            outline = colour if hollow else _OUTLINE
            width = 2 if hollow else 1
            shape = _shape(c, px, py, MARKER)
            if shape is None:
                box = (px - MARKER, py - MARKER, px + MARKER, py + MARKER)
                draw.ellipse(box, fill=fill, outline=outline, width=width)
            else:
                draw.polygon(shape, fill=fill, outline=outline, width=width)
    return image


def regions_frame(proba: np.ndarray, points: Image.Image, image_format: str = "JPEG") -> bytes:
    """The (n, n, K) probability map (row i at the i-th y from the bottom) with ``points``
    (a :func:`points_layer` of the same size) on top, encoded for ``st.image``: JPEG by
    default (quality 90, no chroma subsampling: ~1 ms where PNG takes ~5)."""
    background = region_image(proba)[::-1]  # image rows run top-down, ys bottom-up
    image = Image.fromarray(np.ascontiguousarray(background)).resize(
        points.size, Image.Resampling.BILINEAR
    )
    image = Image.alpha_composite(image.convert("RGBA"), points).convert("RGB")
    buffer = io.BytesIO()
    if image_format == "PNG":
        image.save(buffer, format="PNG", compress_level=1)
    else:
        image.save(buffer, format=image_format, quality=90, subsampling=0)
    return buffer.getvalue()


def regions_png(
    xs: np.ndarray,
    ys: np.ndarray,
    proba: np.ndarray,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    size: int = SIZE,
) -> bytes:
    """PNG bytes: the (n, n, K) probability map (row i at ``ys[i]``, column j at ``xs[j]``)
    with the points drawn on top."""
    bounds = (float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1]))
    points = points_layer(bounds, X_train, y_train, X_test, y_test, size)
    return regions_frame(proba, points, "PNG")
