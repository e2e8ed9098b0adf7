"""Untrusted text for places where Qt guesses at HTML (tooltips): escaped, shown as typed."""

from __future__ import annotations

import html


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip shows it character for character (Qt takes a tooltip that looks
    like HTML for HTML: this one is HTML whose only content is the escaped text)."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"
