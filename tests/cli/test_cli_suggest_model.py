"""`litdesk suggest --model`: the built-in model suggests sections where there are no headings."""

from __future__ import annotations

import json

from litdesk.core.model import LABELS

PROSE = (
    "Loneliness is common among older adults living alone. We aimed to explore how older "
    "adults describe loneliness after bereavement. We conducted semi-structured interviews with "
    "24 widowed adults aged 70 or over and analysed them thematically. Three themes emerged: "
    "loss of routine, changed friendships and searching for meaning. Loneliness after "
    "bereavement is relational, and services should support new social ties."
)
HEADED = "Background: Pain is common. Methods: A survey. Results: Most agree."


def test_suggest_model_prints_and_applies_model_spans(cli, tmp_path, make_ris) -> None:
    lib = str(tmp_path / "lib.sqlite")
    ris = make_ris("two.ris", [{"TY": "JOUR", "TI": "Prose", "AB": PROSE},
                               {"TY": "JOUR", "TI": "Headed", "AB": HEADED}])
    assert cli("-l", lib, "import", str(ris)).returncode == 0

    plain = cli("-l", lib, "suggest", "--all")
    assert plain.returncode == 0, plain.stderr
    assert {line.split("\t")[0] for line in plain.stdout.splitlines()} == {"2"}

    out = cli("-l", lib, "suggest", "--all", "--model")
    assert out.returncode == 0, out.stderr
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    model = [r for r in rows if r[0] == "1"]
    assert model, out.stdout
    assert all(r[5].startswith("model ") and 0.5 <= float(r[5].split()[1]) <= 1 for r in model)
    assert [r for r in rows if r[0] == "2"] == [r.split("\t") for r in plain.stdout.splitlines()]
    spans = [(int(r[1]), int(r[2]), r[3]) for r in model]
    assert spans[0][2] in ("background", "aim")
    assert spans[-1][2] == "conclusion"
    assert all(PROSE[s:e] == PROSE[s:e].strip() and e <= len(PROSE) for s, e, _ in spans)

    js = json.loads(cli("-l", lib, "suggest", "--all", "--model", "--json").stdout)
    assert [(r["id"], r["source"]) for r in js] == [(1, "model"), (2, "headings")]
    assert [tuple(s[:3]) for s in js[0]["spans"]] == spans
    assert all(0.5 <= s[3] <= 1 for s in js[0]["spans"])
    assert cli("-l", lib, "suggest", "--ids", "1").stdout == ""  # nothing stored yet
    assert cli("-l", lib, "suggest", "--all", "--model", "--apply").returncode == 0
    listed = json.loads(cli("-l", lib, "list", "--json").stdout)
    stored = {r["id"]: [(s["start"], s["end"], s["label"]) for s in r["spans"]] for r in listed}
    assert stored[1] == spans
    assert {label for *_, label in stored[2]} <= set(LABELS)


def test_suggest_model_on_empty_and_odd_abstracts(cli, tmp_path, make_ris) -> None:
    lib = str(tmp_path / "lib.sqlite")
    ris = make_ris("odd.ris", [{"TY": "JOUR", "TI": "No abstract"},
                               {"TY": "JOUR", "TI": "Symbols", "AB": "... ??? 😀 \u202e ;;"}])
    assert cli("-l", lib, "import", str(ris)).returncode == 0
    out = cli("-l", lib, "suggest", "--all", "--model", "--apply")
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
