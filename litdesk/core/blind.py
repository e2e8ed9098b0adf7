"""Blind coding: while it is on, a coder sees no other coder's spans on a record not done."""

from __future__ import annotations

from typing import Final

#: The library setting (``library_meta``) that holds it: "on" unless turned "off".
SETTING: Final = "blind_coding"
ON: Final = "on"
OFF: Final = "off"


def is_on(setting: str) -> bool:
    """Whether the setting's stored value (:data:`ON` when unset) turns blind coding on."""
    return setting == ON


def setting_for(on: bool) -> str:
    """The value stored for blind coding turned on or off."""
    return ON if on else OFF


def others_hidden(blind: bool, done: bool) -> bool:
    """Whether the other coders' spans on a record stay hidden from a coder: while blind
    coding is on, until the coder has marked the record done (their judgement is formed)."""
    return blind and not done
