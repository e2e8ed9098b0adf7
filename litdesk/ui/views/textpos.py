"""Convert between Python string indices (what the library stores) and Qt text positions.

Qt counts UTF-16 code units: a character outside the Basic Multilingual Plane (an emoji,
"𝛼") is one Python index but two Qt positions. Every offset crossing the UI boundary goes
through an :class:`OffsetMap`.
"""

from __future__ import annotations

from bisect import bisect_right


class OffsetMap:
    """Index conversions for one text; cheap when the text has no astral characters."""

    def __init__(self, text: str):
        self.text = text
        # Python indices of astral characters, in order; each adds one extra Qt unit.
        self._astral = [i for i, c in enumerate(text) if ord(c) > 0xFFFF]
        self._astral_qt = [i + n for n, i in enumerate(self._astral)]

    def to_qt(self, index: int) -> int:
        """Qt position of Python index ``index``."""
        return index + bisect_right(self._astral, index - 1)

    def to_py(self, pos: int) -> int:
        """Python index of Qt position ``pos`` (a position inside a surrogate pair rounds down)."""
        n = bisect_right(self._astral_qt, pos - 1)  # astral characters starting before pos
        if n and self._astral_qt[n - 1] == pos - 1:  # pos splits a surrogate pair
            return self._astral[n - 1]
        return pos - n

    @property
    def qt_length(self) -> int:
        return len(self.text) + len(self._astral)
