"""Tests for litdesk.core.sections: section spans suggested from structured-abstract headings."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import litdesk
from litdesk.core.model import LABELS
from litdesk.core.sections import suggest_sections

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_baa27484dd0224d6.txt"

SECTIONS = [
    ("Background", "background", "Prescribing of opioids has increased."),
    ("Aim", "aim", "To explore GPs' experiences."),
    ("Method", "method", "Semi-structured interviews with 20 GPs."),
    ("Results", "results", "Participating GPs identified problems."),
    ("Conclusion", "conclusion", "GPs lack control of opioid prescribing."),
]


def render(
    sections: list[tuple[str, str, str]], delim: str, sep: str, case=str
) -> tuple[str, list[tuple[int, int, str]]]:
    """An abstract in one heading style and the spans expected for it."""
    text, spans = "", []
    for heading, label, body in sections:
        if text:
            text += sep
        start = len(text)
        text += case(heading) + delim + body
        spans.append((start, len(text), label))
    return text, spans


def seed_abstract() -> str:
    raw = SEED.read_text(encoding="utf-8")
    match = re.search(r"N2 - (.*?) ER -", raw, re.DOTALL)
    assert match is not None
    return match.group(1)


def test_seed_abstract_exact() -> None:
    text = seed_abstract()
    assert len(text) == 1673
    assert suggest_sections(text) == [
        (0, 317, "background"),
        (317, 452, "aim"),
        (452, 690, "method"),
        (690, 1458, "results"),
        (1458, 1673, "conclusion"),
    ]


def test_package_facade() -> None:
    assert litdesk.suggest_sections(seed_abstract()) == suggest_sections(seed_abstract())


def test_heading_list_is_package_data() -> None:
    data = files("litdesk.core").joinpath("section_headings.txt").read_text(encoding="utf-8")
    fields = [line.split("|") for line in data.splitlines() if not line.startswith("#")]
    assert {f[1] for f in fields} == {*LABELS, "-"}
    assert {tuple(f[2:]) for f in fields} == {(), ("colon",)}


STYLES = {
    "colon": ": ",
    "full stop": ". ",
    "dash": " - ",
    "en dash": " – ",
    "em dash glued": "—",
    "new line": "\n",
    "colon new line": ":\n",
    "space only": " ",
}
CASES = {"upper": str.upper, "title": str.title, "lower": str.lower}


@pytest.mark.parametrize("sep", [" ", "", "\n", "\n\n"], ids=["spaced", "glued", "nl", "para"])
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("delim", list(STYLES.values()), ids=list(STYLES))
def test_heading_styles(delim: str, case: str, sep: str) -> None:
    text, expected = render(SECTIONS, delim, sep, CASES[case])
    assert suggest_sections(text) == expected


@pytest.mark.parametrize(
    ("heading", "label"),
    [
        ("Introduction", "background"),
        ("Context", "background"),
        ("Rationale", "background"),
        ("Objective", "aim"),
        ("Objectives", "aim"),
        ("Purpose", "aim"),
        ("Aims", "aim"),
        ("Background and aims", "aim"),
        ("Design", "method"),
        ("Setting", "method"),
        ("Participants", "method"),
        ("Design & setting", "method"),
        ("Materials and methods", "method"),
        ("Measurements", "method"),
        ("Interventions", "method"),
        ("Method(s)", "method"),
        ("Findings", "results"),
        ("Outcomes", "results"),
        ("Conclusions", "conclusion"),
        ("Interpretation", "conclusion"),
        ("Implications", "conclusion"),
        ("Discussion", "conclusion"),
    ],
)
@pytest.mark.parametrize("delim", [": ", " "])
def test_synonyms(heading: str, label: str, delim: str) -> None:
    # The synonym's section first, then the others (each label once, so nothing merges).
    sections = [(heading if lab == label else h, lab, body) for h, lab, body in SECTIONS]
    sections.sort(key=lambda section: section[1] != label)
    text, expected = render(sections, delim, " ")
    assert suggest_sections(text) == expected


def test_longest_heading_wins() -> None:
    text = "Background and aims: To test. Design & setting: Two clinics. Results: Fine."
    assert suggest_sections(text) == [(0, 29, "aim"), (30, 60, "method"), (61, 75, "results")]


def test_same_label_neighbours_merge() -> None:
    text = "Design: Cohort. Setting: Primary care. Participants: 40 GPs. Results: Few."
    assert suggest_sections(text) == [(0, 60, "method"), (61, 74, "results")]


def test_text_before_first_heading_is_not_tagged() -> None:
    text = "Abstract Background: Pain is common. Methods: Survey. Results: Most agree."
    assert suggest_sections(text)[0] == (9, 36, "background")
    text = "A short note. OBJECTIVE: To count. METHODS: We counted."
    assert suggest_sections(text) == [(14, 34, "aim"), (35, 55, "method")]


def test_uncoded_headings_and_trailers_end_a_section() -> None:
    text = (
        "Background: Pain. Methods: Survey. Conclusions: More work is needed. "
        "Trial registration: ISRCTN123. © 2020 Elsevier Inc. All rights reserved."
    )
    spans = suggest_sections(text)
    assert spans[-1] == (35, 68, "conclusion")
    text = "OBJECTIVE: To count. RESULTS: Many. Copyright © 2021 APA."
    assert suggest_sections(text) == [(0, 20, "aim"), (21, 35, "results")]


def test_administrative_headings_and_mojibake_copyright_end_a_section() -> None:
    # NLM files trial registries and supplementary material under BACKGROUND; litdesk codes none.
    text = (
        "Background: Pain. Conclusions: More work is needed. Clinical Trial Registration code: "
        "IRCT1. Supplementary information: Data are online."
    )
    assert suggest_sections(text) == [(0, 17, "background"), (18, 51, "conclusion")]
    text = "Aims: To count. Results: Many counted. Â© 2021 Emerald Publishing Limited."
    assert suggest_sections(text) == [(0, 15, "aim"), (16, 38, "results")]


def test_generic_headings_count_only_before_a_colon() -> None:
    text = "The aim: To describe carers. Case: A 20-year-old woman. Lessons: Ask early."
    assert suggest_sections(text) == [(0, 28, "aim"), (29, 55, "method"), (56, 75, "conclusion")]
    text = "Background: Pain. Case 1 was a man. Treatment was given. Impact was small. Lessons."
    assert suggest_sections(text) == []


def test_heading_without_text_before_another_of_its_label_starts_the_span() -> None:
    text = "Introduction: Background: IBS is common. Results: Results: Most were well."
    assert suggest_sections(text) == [(0, 40, "background"), (41, 74, "results")]
    # A heading of another label stays outside.
    text = "Background: Pain. Methods: Results: Most were well. Conclusion: Fine."
    assert suggest_sections(text)[1] == (27, 51, "results")


def test_mid_sentence_upper_case_heading_with_colon() -> None:
    text = "OBJECTIVE: To review. Type of review Systematic review SEARCH STRATEGY: PubMed. "
    text += "RESULTS: Ten studies."
    assert [label for _, _, label in suggest_sections(text)] == ["aim", "method", "results"]


PROSE = [
    "The results suggest that our aim was met in this setting.",
    "Results were mixed. Methods of coping differed. Objectives of care were rarely discussed.",
    "Our aim was to explore the results of the trial in this setting. The results suggest that "
    "background noise matters. Purpose and meaning were central themes. In conclusion, more "
    "research is needed. Conclusions were drawn by two authors.",
    "Background information was given. The purpose of the study was explained. Findings from "
    "other settings are similar. Discussion of these issues is overdue. Design choices mattered.",
    "We report results-based funding. Setting goals helped. Outcomes improved in the conclusion "
    "phase. Aim high, the motto says.",
    "Conclusion: one heading alone is no structure.",
    "Patients with pain were seen. Participants were asked about their aims and purposes.",
]


@pytest.mark.parametrize("text", PROSE)
def test_no_spans_on_prose(text: str) -> None:
    assert suggest_sections(text) == []


def test_headings_removed_gives_nothing() -> None:
    text = " ".join(body for _, _, body in SECTIONS)
    assert suggest_sections(text) == []
    assert suggest_sections("") == []
    assert suggest_sections("   \n ") == []


def test_astral_characters_use_python_indices() -> None:
    text = "𝔅ackground 😀 note. Background: The 𝔐-scale 😀 is new. Methods: We used 𝔐."
    spans = suggest_sections(text)
    assert [text[s:e] for s, e, _ in spans] == [
        "Background: The 𝔐-scale 😀 is new.",
        "Methods: We used 𝔐.",
    ]


def test_crlf_line_breaks() -> None:
    text = "Background\r\nPain is common.\r\nMethods\r\nWe asked.\r\n"
    assert suggest_sections(text) == [(0, 27, "background"), (29, 47, "method")]


WORDS = st.sampled_from(
    [
        "Background", "BACKGROUND", "background", "Aim", "aims", "Methods", "Design & setting",
        "Results", "results", "Conclusion", "Trial registration", "Abstract", "the", "We",
        "patients", "were", "𝔐", "😀", "(n = 9)", "mHealth", "©", "and", "Participants",
    ]
)  # fmt: skip
SEPARATORS = st.sampled_from([" ", ". ", ".", ": ", " - ", "\n", "\r\n", "  ", "\t", ": \n"])


@settings(deadline=None, max_examples=300)
@given(st.lists(st.tuples(WORDS, SEPARATORS), max_size=40), st.text(max_size=60))
def test_spans_are_well_formed(pieces: list[tuple[str, str]], noise: str) -> None:
    text = "".join(word + sep for word, sep in pieces) + noise
    spans = suggest_sections(text)
    assert spans == sorted(spans)
    previous_end = 0
    for start, end, label in spans:
        assert label in LABELS
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        previous_end = end
    for (_, end, label), (start, _, next_label) in zip(spans, spans[1:], strict=False):
        assert label != next_label or text[end:start].strip(), "same-label neighbours merge"
    assert spans == [] or len({label for _, _, label in spans}) >= 2


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=300))
def test_random_text_is_well_formed(text: str) -> None:
    spans = suggest_sections(text)
    assert spans == sorted(spans)
    for start, end, _ in spans:
        assert 0 <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
