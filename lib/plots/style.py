"""Shared look of every figure: the Okabe–Ito colour-blind-safe palette and one marker per class."""

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


def class_color(index: int) -> str:
    return OKABE_ITO[index % len(OKABE_ITO)]


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """ "#E69F00" → (230, 159, 0), for figures drawn as pixels.

    >>> rgb("#E69F00")
    (230, 159, 0)
    """
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return r, g, b


# Named colours, so every lesson means the same blue/orange/… (Okabe–Ito) and the same grey.
BLUE, ORANGE, GREEN, RED = OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[2], OKABE_ITO[5]
GREY = "#999999"
