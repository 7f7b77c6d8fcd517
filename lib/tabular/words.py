"""Small wording helpers for messages about a table: counts with the right plural, and outside
text made safe for a terminal."""

from __future__ import annotations


def plural(n: int, singular: str, many: str | None = None) -> str:
    """``"1 test row"``, ``"60 test rows"``, ``"1,200 categories"`` (thousands separated).

    >>> plural(1, "test row"), plural(60, "test row"), plural(2, "category", "categories")
    ('1 test row', '60 test rows', '2 categories')
    """
    word = singular if n == 1 else (many or singular + "s")
    return f"{n:,} {word}"


def terminal_safe(text: object) -> str:
    """Text with every unprintable character (terminal escape sequences, control characters,
    other line breaks) written as its Python escape, so a class name cannot move the cursor,
    recolour or clear a terminal; printable text is left as it is.

    >>> terminal_safe("caf\\u00e9"), terminal_safe("x\\x1b[2Jy")
    ('café', 'x\\\\x1b[2Jy')
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
