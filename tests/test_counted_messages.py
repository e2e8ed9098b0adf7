"""Counts in messages agree with their number: "1 record", never "1 records"."""

from __future__ import annotations

import re
from pathlib import Path

from litdesk.core.words import counted

SOURCE = Path(__file__).resolve().parents[1] / "litdesk"
# A number put into a message right before a plural noun: "{n} records", "{n:,} spans".
COUNT_THEN_PLURAL = re.compile(
    r"\{[^{}]+\}\s+(records|spans|files|duplicates|abstracts|coders|sections|characters|"
    r"differences|problems|memos|imports|backups|labels|rows|words|batches)\b")


def test_counted_says_one_and_many():
    assert counted(1, "record") == "1 record"
    assert counted(0, "record") == "0 records"
    assert counted(12_345, "span") == "12,345 spans"
    assert counted(2, "batch", "batches") == "2 batches"


def test_no_message_puts_a_count_before_a_plural():
    found = [f"{path.relative_to(SOURCE.parent)}:{n}: {line.strip()}"
             for path in sorted(SOURCE.rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if COUNT_THEN_PLURAL.search(line) and "# always plural" not in line]
    assert not found, "use litdesk.core.words.counted(n, noun):\n" + "\n".join(found)
