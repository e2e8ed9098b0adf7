"""``suggest`` and ``tag`` run as the installed command: one line per span, JSON for programs,
labels in any case, many tags from JSON Lines in one transaction (all or nothing)."""

from __future__ import annotations

import json

import pytest

from litdesk.core.sections import suggest_sections

# Headings on lines of their own, as many databases export them: the spans hold newlines.
STRUCTURED = ("BACKGROUND\nOpioids are prescribed often.\nAIM\nTo explore GPs' views.\r\n"
              "METHODS\nInterviews\twith 20 GPs.\nRESULTS\nThree themes.\nCONCLUSION\nSupport.")
PLAIN = "An unstructured abstract about results that were mixed."


@pytest.fixture
def lib(cli, make_ris, tmp_path) -> list[str]:
    """A library of three records: 1 and 3 structured, 2 plain; the CLI's global options."""
    path = str(tmp_path / "lib.sqlite")
    ris = make_ris("three.ris", [{"TY": "JOUR", "TI": t, "AB": ab}
                                 for t, ab in (("One", STRUCTURED), ("Two", PLAIN),
                                               ("Three", STRUCTURED))])
    out = cli("--library", path, "import", str(ris))
    assert out.returncode == 0, out.stderr
    return ["--library", path, "--coder", "ann"]


def spans(cli, lib: list[str]) -> dict[int, list[tuple[int, int, str]]]:
    out = cli(*lib, "list", "--json")
    assert out.returncode == 0, out.stderr
    return {r["id"]: [(s["start"], s["end"], s["label"]) for s in r["spans"]]
            for r in json.loads(out.stdout)}


def abstract(cli, lib: list[str], rid: int) -> str:
    return next(r["abstract"] for r in json.loads(cli(*lib, "list", "--json").stdout)
                if r["id"] == rid)


def test_suggest_prints_one_line_per_span_whatever_the_text_holds(cli, lib):
    out = cli(*lib, "suggest", "--ids", "1")
    assert out.returncode == 0, out.stderr
    stored = abstract(cli, lib, 1)
    expected = suggest_sections(stored)
    assert len(expected) == 5
    assert "\n" in stored[expected[0][0]:expected[0][1]]
    lines = out.stdout.splitlines()
    assert len(lines) == len(expected)
    for line, (start, end, label) in zip(lines, expected, strict=True):
        rid, a, b, lab, text = line.split("\t")
        assert (int(rid), int(a), int(b), lab) == (1, start, end, label)
        assert "\\n" in text or "\\t" in text or "\\r" in text or text == stored[start:end]


def test_suggest_json_is_the_documented_shape(cli, lib):
    out = cli(*lib, "suggest", "--all", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    stored = abstract(cli, lib, 1)
    expected = [[s, e, label, 1.0] for s, e, label in suggest_sections(stored)]
    assert data == [{"id": 1, "spans": expected, "source": "headings"},
                    {"id": 3, "spans": expected, "source": "headings"}]
    assert [list(item) for item in data] == [["id", "spans", "source"]] * 2
    assert all(isinstance(s[3], float) for s in data[0]["spans"])


def test_suggest_and_apply_follow_the_one_rule(cli, lib, tmp_path):
    """A coder who tagged a record, or rejected its suggestions, is offered none there: in
    the plain output, the JSON, and ``--apply`` (which used to overwrite a rejection)."""
    from litdesk.store.library import Library

    with Library.open(lib[1], coder="ann") as library:
        library.set_suggestion_state(3, "rejected")  # Esc in the app
    assert [d["id"] for d in json.loads(cli(*lib, "suggest", "--all", "--json").stdout)] == [1]
    applied = cli(*lib, "suggest", "--all", "--apply")
    assert applied.returncode == 0, applied.stderr
    assert "1 record" in applied.stderr
    coded = spans(cli, lib)
    assert len(coded[1]) == 5
    assert coded[3] == []  # the rejection stands
    assert cli(*lib, "suggest", "--all", "--json").stdout.strip() == "[]"
    # Another coder has answered nothing yet: they are offered both.
    other = [*lib[:-1], "bob"]
    assert [d["id"] for d in json.loads(cli(*other, "suggest", "--all", "--json").stdout)] == [
        1, 3]


@pytest.mark.parametrize("label", ["Background", "AIM", "method", " Results "])
def test_tag_accepts_a_label_in_any_case(cli, lib, label):
    out = cli(*lib, "tag", "2", "0", "2", label)
    assert out.returncode == 0, out.stderr
    assert spans(cli, lib)[2] == [(0, 2, label.strip().lower())]


def test_tag_jsonl_from_a_file_and_from_standard_input(cli, lib, tmp_path):
    lines = [{"id": 2, "start": 0, "end": 2, "label": "Aim"},
             {"id": 2, "start": 3, "end": 15, "label": "METHOD", "text": "ignored"},
             {"id": 1, "start": 0, "end": 10, "label": "background"}]
    path = tmp_path / "tags.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    out = cli(*lib, "tag", "--jsonl", str(path))
    assert out.returncode == 0, out.stderr
    assert "3 tags" in out.stdout
    coded = spans(cli, lib)
    assert coded[2] == [(0, 2, "aim"), (3, 15, "method")]
    assert coded[1] == [(0, 10, "background")]
    piped = cli(*lib, "tag", "--jsonl", "-",
                input=json.dumps({"id": 3, "start": 0, "end": 4, "label": "Results"}))
    assert piped.returncode == 0, piped.stderr
    assert spans(cli, lib)[3] == [(0, 4, "results")]


@pytest.mark.parametrize(("bad", "words"), [
    ("{not json", "not a JSON object"),
    ('["id", 1]', "not a JSON object"),
    ('{"id": 99, "start": 0, "end": 2, "label": "aim"}', "no record with id 99"),
    ('{"id": 2, "start": 5, "end": 2, "label": "aim"}', "must be before"),
    ('{"id": 2, "start": 0, "end": 99999, "label": "aim"}', "outside the abstract"),
    ('{"id": 2, "start": -1, "end": 2, "label": "aim"}', "outside the abstract"),
    ('{"id": 2, "start": 0, "end": 2, "label": "aims"}', "unknown label 'aims'"),
    ('{"id": 2, "start": 0, "end": 2}', "missing 'label'"),
    ('{"id": 2, "start": "0", "end": 2, "label": "aim"}', "'start' must be a whole number"),
    ('{"id": true, "start": 0, "end": 2, "label": "aim"}', "'id' must be a whole number"),
    ('{"id": 2, "start": 0, "end": 2.5, "label": "aim"}', "'end' must be a whole number"),
    ('{"id": 2, "start": 0, "end": 2, "label": null}', "'label' must be a section name"),
    ("\xff\xfe not utf-8", "not UTF-8"),
])
def test_a_bad_line_names_its_number_and_nothing_is_stored(cli, lib, tmp_path, bad, words):
    good = json.dumps({"id": 1, "start": 0, "end": 5, "label": "aim"})
    path = tmp_path / "tags.jsonl"
    path.write_bytes(f"{good}\n\n{good}\n".encode() + bad.encode("latin-1") + b"\n" +
                     good.encode())
    out = cli(*lib, "tag", "--jsonl", str(path))
    assert out.returncode == 1
    assert out.stderr.startswith(f"litdesk: {path}, line 4: ")
    assert words in out.stderr
    assert "nothing was stored" in out.stderr
    assert spans(cli, lib) == {1: [], 2: [], 3: []}


def test_tag_usage_errors(cli, lib, tmp_path):
    assert cli(*lib, "tag", "1", "0", "2").returncode == 2
    assert cli(*lib, "tag", "1", "0", "2", "aim", "--jsonl", "-", input="").returncode == 2
    empty = cli(*lib, "tag", "--jsonl", "-", input="\n")
    assert empty.returncode == 1
    assert "no tags" in empty.stderr
    missing = cli(*lib, "tag", "--jsonl", str(tmp_path / "nowhere.jsonl"))
    assert missing.returncode == 1
    assert "nowhere.jsonl" in missing.stderr


def test_coders_counts_in_the_status_words(cli, lib):
    """``coders`` said "coded" of a record with one span; the status "coded" is all five
    sections, or done."""
    assert cli(*lib, "tag", "2", "0", "2", "aim").returncode == 0
    assert cli(*lib, "suggest", "--ids", "1", "--apply").returncode == 0  # five sections
    assert cli(*lib, "done", "--ids", "3").returncode == 0
    out = cli(*lib, "coders")
    assert out.returncode == 0, out.stderr
    header, ann = out.stdout.splitlines()
    assert header.split()[1:] == ["partly", "coded", "coded", "done"]
    assert ann.split() == ["ann", "1", "2", "1"]
