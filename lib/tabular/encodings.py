"""Which single-byte or East-Asian encoding a file that is not UTF-8 was written in.

UTF-8, its BOM and UTF-16 are recognised exactly by :mod:`lib.tabular.reading`. What is left
is a guess, made in two steps:

1. Each single-byte code page (Western and Central European, Cyrillic, Greek) decodes the
   sample, and the text is scored the way a reader notices a wrong guess (:func:`text_score`).
   charset-normalizer guesses poorly here on a short table: the Latin code pages share most
   bytes and differ in a few letters. Windows-1252 wins ties: it is the most common.
2. ``charset-normalizer`` (installed with Streamlit) identifies the East-Asian multi-byte
   encodings (Shift-JIS, GBK, EUC-KR, Big5) reliably; its guess is taken when no single-byte
   reading looks like natural text.
"""

from __future__ import annotations

import re
import unicodedata

# The override offered on the page: Python codec name → what a learner recognises.
LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16 (with BOM)",
    "utf-16-le": "UTF-16 little-endian",
    "utf-16-be": "UTF-16 big-endian",
    "cp1252": "Windows-1252 (Western European)",
    "latin-1": "Latin-1 (ISO-8859-1)",
    "iso8859-15": "ISO-8859-15 (Western European, €)",
    "cp1250": "Windows-1250 (Central European)",
    "iso8859-2": "ISO-8859-2 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "koi8-r": "KOI8-R (Russian)",
    "cp1253": "Windows-1253 (Greek)",
    "cp932": "Shift-JIS (Japanese)",
    "gb18030": "GBK / GB18030 (Simplified Chinese)",
    "cp949": "EUC-KR (Korean)",
    "big5": "Big5 (Traditional Chinese)",
}
# The single-byte code pages tried, the most common first (it wins a tie).
SINGLE_BYTE = ("cp1252", "latin-1", "cp1250", "iso8859-2", "cp1251", "koi8-r", "cp1253")
# charset-normalizer's names for the East-Asian encodings, mapped onto the supersets above.
_EAST_ASIAN = {
    "shift_jis": "cp932",
    "cp932": "cp932",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "gb18030": "gb18030",
    "euc_kr": "cp949",
    "cp949": "cp949",
    "big5": "big5",
}
SAMPLE_BYTES = 64 * 1024


def guess_encoding(data: bytes) -> str:
    """The encoding of bytes that are not UTF-8, among :data:`LABELS`.

    >>> guess_encoding("Москва,Россия\\nКиев,Украина\\n".encode("cp1251"))
    'cp1251'
    >>> guess_encoding("Łódź,Wrocław\\nKraków,Poznań\\n".encode("cp1250"))
    'cp1250'
    >>> guess_encoding("Søren,Århus\\nJosé,São Paulo\\n".encode("cp1252"))
    'cp1252'
    """
    sample = bytes(data[:SAMPLE_BYTES])
    scored = sorted(
        (
            (text_score(str(sample, enc, errors="replace")), -i, enc)
            for i, enc in enumerate(SINGLE_BYTE)
        ),
        reverse=True,
    )
    best_score = scored[0][0]
    east_asian = _east_asian(sample)
    # A table in Japanese, Chinese or Korean read byte by byte is a soup of accented letters
    # and symbols: it never scores as natural text.
    if east_asian is not None and best_score <= 0 and _decodes(data, east_asian):
        return east_asian
    for _score, _order, enc in scored:
        if _decodes(data, enc):
            return enc
    return "latin-1"  # decodes any byte


def _east_asian(sample: bytes) -> str | None:
    """charset-normalizer's guess when it is a multi-byte East-Asian encoding, else ``None``."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with streamlit
        return None
    best = from_bytes(sample).best()
    return None if best is None else _EAST_ASIAN.get(best.encoding)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        str(data, encoding)
    except UnicodeDecodeError:
        return False
    return True


def _script(ch: str) -> str:
    return unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]


def text_score(text: str) -> int:
    """How natural the non-ASCII characters of ``text`` look in words (higher is better).

    A reader notices a wrong guess as a symbol inside a word ("£ódŸ"), a capital after a
    small letter, letters of two alphabets in one word, a control character, or a Latin
    word made mostly of accented letters ("Ìîñêâà" is "Москва" read as Windows-1252).

    >>> text_score("Łódź") > text_score("£ódŸ")
    True
    >>> text_score("Москва") > text_score("Ìîñêâà")
    True
    """
    score = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        letters = [ch for ch in word if ch.isalpha()]
        accented = sum(1 for ch in letters if ord(ch) > 127 and _script(ch) == "LATIN")
        if len(letters) >= 3 and accented > 0.6 * len(letters):
            score -= 3
        previous = ""
        for ch in word:
            category = unicodedata.category(ch)
            if ord(ch) > 127:
                if category[0] == "C" or ch == "\ufffd":
                    score -= 5  # a control character or an undefined byte
                elif category[0] != "L":
                    score -= 3  # "£" or "³" inside a word
                else:
                    score += 1
            if previous.isalpha() and ch.isalpha():
                if _script(previous) != _script(ch):
                    score -= 2  # two alphabets in one word
                elif ch.isupper() and previous.islower():
                    score -= 2  # a capital after a small letter: "dŸ"
            previous = ch
    return score


# A run of anything but spaces, digits and ASCII punctuation: symbols that a wrong guess puts
# inside a word stay in the word.
_WORD = re.compile(r"[^\s\d!-/:-@\[-`{-~]+")
