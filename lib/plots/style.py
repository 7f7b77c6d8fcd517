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


# Named colours, so every lesson means the same blue/orange/… (Okabe–Ito) and the same grey.
BLUE, ORANGE, GREEN, RED = OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[2], OKABE_ITO[5]
GREY = "#999999"
