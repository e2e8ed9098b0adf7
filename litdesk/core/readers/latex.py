"""LaTeX in BibTeX values to Unicode: the common markup here, anything else by pylatexenc.

pylatexenc (bibtexparser's decoder) parses character by character and took 95% of a BibTeX
import. Most values hold only braces, dashes, escaped specials (``\\&``, ``\\%``) and accents
(``{\\"u}``, ``\\'{e}``), which `decode` turns into text in one regex pass, the same text
pylatexenc gives; a value with any other command or with math goes to ``fallback``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Final

_ACCENTS: Final = {
    "`": "\u0300", "'": "\u0301", "^": "\u0302", "~": "\u0303", "=": "\u0304", "u": "\u0306",
    ".": "\u0307", '"': "\u0308", "r": "\u030a", "H": "\u030b", "v": "\u030c", "d": "\u0323",
    "c": "\u0327", "k": "\u0328",
}
_WORDS: Final = {
    "ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ",
    "OE": "Œ", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "textless": "<", "textgreater": ">",
    "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^", "textbar": "|",
    "textendash": "\u2013",
    "textemdash": "\u2014", "textquoteright": "\u2019", "textquoteleft": "\u2018",
    "textquotedblleft": "\u201c", "textquotedblright": "\u201d", "textregistered": "®",
    "texttrademark": "™", "textcopyright": "©", "textdegree": "°", "textpm": "±",
    "textmu": "µ", "textbullet": "•", "textunderscore": "_", "ldots": "…", "dots": "…",
}
_PLAIN: Final = {"---": "\u2014", "--": "\u2013", "``": "\u201c", "''": "\u201d",
                 "~": "\u00a0", "{": "", "}": ""}
_TOKEN: Final = re.compile(
    r"\$\\backslash\$"
    r"|\\([`'^\"~=.])[ \t]*(?:\{[ \t]*(\\?[A-Za-z])[ \t]*\}|(\\?[A-Za-z]))"  # \'e \'{e} \'\i
    r"|\\([uvHrdck])(?:[ \t]*\{[ \t]*(\\?[A-Za-z])[ \t]*\}|[ \t]+([A-Za-z]))"  # \v{c} \c c
    r"|\\([A-Za-z]+)[ \t]*"  # a command word and the spaces LaTeX eats after it
    r"|\\([&%$#_{}\\ ,;:!])"  # escaped specials, spacing
    r"|---|--|``|''|[~{}$]"
)
_NEEDS_DECODER: Final = "\x00"
_MAY_HAVE_LATEX: Final = re.compile(r"[\\{}$~`'-]")


def decode(value: str, fallback: Callable[[str], str]) -> str:
    """``value`` with its LaTeX made Unicode; ``fallback`` decodes what this does not know."""
    if not _MAY_HAVE_LATEX.search(value):
        return value
    text = _TOKEN.sub(_replace, value)
    if _NEEDS_DECODER in text:
        return fallback(value)
    return unicodedata.normalize("NFC", text) if not text.isascii() else text


def _replace(m: re.Match[str]) -> str:
    whole = m[0]
    if whole == "$\\backslash$":
        return "\\"
    accent = m[1] or m[4]
    if accent:
        letter = m[2] or m[3] or m[5] or m[6] or ""
        if letter.startswith("\\"):
            letter = _WORDS.get(letter[1:], "")
        return letter + _ACCENTS[accent] if letter else _NEEDS_DECODER
    if m[7]:
        return _WORDS.get(m[7], _NEEDS_DECODER)
    if m[8]:
        return {"\\": _NEEDS_DECODER, ",": " ", ";": " ", ":": " ", "!": ""}.get(m[8], m[8])
    if whole == "$":
        return _NEEDS_DECODER  # math
    return _PLAIN.get(whole, whole)
