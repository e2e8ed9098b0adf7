"""The blind-coding rule: on unless turned off; others' spans hidden until the record is done."""

from __future__ import annotations

import pytest

from litdesk.core import blind


@pytest.mark.parametrize(("stored", "on"), [(blind.ON, True), (blind.OFF, False)])
def test_the_setting_round_trips(stored: str, on: bool) -> None:
    assert blind.is_on(stored) is on
    assert blind.setting_for(on) == stored


@pytest.mark.parametrize(("on", "done", "hidden"), [
    (True, False, True), (True, True, False), (False, False, False), (False, True, False)])
def test_others_are_hidden_only_while_blind_and_not_done(on: bool, done: bool,
                                                         hidden: bool) -> None:
    assert blind.others_hidden(on, done) is hidden
