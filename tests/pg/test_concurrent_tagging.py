"""Two coders tagging the same records at the same time, in two processes: nothing is lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from litdesk.store.importer import import_file
from litdesk.store.library import Library

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_baa27484dd0224d6.txt"

TAGGER = textwrap.dedent('''
    import sys, time
    from litdesk.core.model import LABELS
    from litdesk.store.library import Library
    location, coder, first, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    lib = Library.open(location, coder=coder)
    ids = lib.search_ids()
    end = time.monotonic() + seconds
    pos, n = first, 0
    while time.monotonic() < end and pos < 1600:
        rid = ids[n % len(ids)]
        label = LABELS[n % len(LABELS)]
        lib.tag(rid, pos, pos + 1, label)  # one character, never touching another span
        print(rid, pos, label, flush=True)  # acknowledged: the tag is committed
        n += 1
        if n % len(ids) == 0:
            pos += 4
    lib.close()
''')


@pytest.mark.slow
def test_two_coders_tagging_at_once_lose_nothing(location, engine_kind, tmp_path):
    seconds = 30 if engine_kind == "postgres" else 10
    with Library.open(location, coder="setup") as lib:
        import_file(lib, SEED)
        extra = tmp_path / "extra.ris"
        extra.write_text("".join(
            f"TY  - JOUR\nTI  - Paper {i}\nAB  - {'Some words of an abstract. ' * 70}\nER  - \n\n"
            for i in range(3)), encoding="utf-8")
        import_file(lib, extra)
    script = tmp_path / "tagger.py"
    script.write_text(TAGGER, encoding="utf-8")
    procs = {coder: subprocess.Popen(
        [sys.executable, str(script), location, coder, str(first), str(seconds)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for coder, first in (("ana", 0), ("ben", 2))}
    acknowledged: dict[str, set[tuple[int, int, str]]] = {}
    for coder, proc in procs.items():
        out, err = proc.communicate(timeout=seconds + 120)
        assert proc.returncode == 0, err
        acknowledged[coder] = {(int(r), int(p), lab) for r, p, lab in
                               (line.split() for line in out.splitlines())}
        assert len(acknowledged[coder]) > 20, "too few tags to mean anything"
    for coder, expected in acknowledged.items():
        with Library.open(location, coder=coder) as lib:
            stored = {(rid, s.start, s.label) for rid in lib.search_ids()
                      for s in lib.spans(rid)}
        assert stored == expected, coder
