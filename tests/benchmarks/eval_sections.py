"""Evaluate litdesk.core.sections.suggest_sections on real and hand-written structured abstracts.

Run by hand: ``python tests/benchmarks/eval_sections.py [--show] [--only ris|dev|model]``.

1. Real structured abstracts are taken from the AB/N2 values of ../shared/corpus/ris. Their gold
   sections come from a hand-kept table of the headings those abstracts actually use (GOLD below),
   independent of the module's heading list.
2. Each abstract is re-rendered in many heading styles (upper/title/lower case; colon, full stop,
   dash, line break or space only; sections separated by a space, glued or on new lines), once
   with its own headings and once with synonyms swapped in, and scored by character-level
   macro-F1 over the five labels.
3. The same abstracts with every heading removed must give no spans at all.
4. Hand-written abstracts (``⟦label⟧`` marks where a span starts, ``⟦-⟧`` an uncoded part).
5. ``dev``: the 5,854 structured abstracts of ../shared/corpus/abstracts (headings marked by the
   corpus, see section_corpus.py), a development set: macro-F1, exact boundaries, and spans
   found once their headings are removed (some bodies hold sub-headings the corpus missed).
6. ``model``: the section model for abstracts without headings (eval_section_model.py, needs
   the ``train`` extra): leave-source-out macro-F1 per label, against the position baseline.
"""

from __future__ import annotations

import random
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from litdesk.core.sections import suggest_sections  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from section_corpus import Score, load  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "ris"

# Headings used by the corpus abstracts, with their sections ("-": not coded).
GOLD: dict[str, str] = {
    "background": "background", "introduction": "background", "context": "background",
    "ethnopharmocological relevance": "background", "rationale": "background",
    "objective": "aim", "objectives": "aim", "aim": "aim", "aims": "aim", "purpose": "aim",
    "goal": "aim", "goals": "aim", "background and aims": "aim", "background and purpose": "aim",
    "objective of review": "aim", "hypotheses": "aim",
    "methods": "method", "method": "method", "method(s)": "method",
    "materials and methods": "method", "material and methods": "method",
    "methods and material": "method", "design": "method", "study design and setting": "method",
    "type of review": "method", "search strategy": "method", "evaluation methods": "method",
    "case presentation": "method", "setting": "method", "participants": "method",
    "data sources": "method", "study selection": "method", "data extraction": "method",
    "results": "results", "result(s)": "results", "findings": "results",
    "main results": "results", "data synthesis": "results",
    "results and discussion": "conclusion",  # NLM's category
    "conclusion": "conclusion", "conclusions": "conclusion", "conclusion(s)": "conclusion",
    "discussion": "conclusion", "interpretation": "conclusion",
    "trial registration": "-", "registration": "-", "prospero registration": "-",
    "systematic review registration": "-", "keywords": "-", "key words": "-",
    "ethics and dissemination": "-", "international registered report identifier (irrid)": "-",
}  # fmt: skip
_GOLD_RE = re.compile(
    r"(?:^|(?<=[.?!])[ \t]*|(?<=[.?!][)\]'\"])[ \t]*|(?<=^Abstract )|(?<=\s)(?=[A-Z][A-Za-z() ]+:))"
    r"(" + "|".join(re.escape(h) for h in sorted(GOLD, key=len, reverse=True)) + r")"
    r"(?-i:(?=[ \t]*:|\.\s|\s+[A-Z0-9(]))",
    re.IGNORECASE,
)
_TRAILER = re.compile(r"\s*(?:\(PsycINFO Database Record|\[Author Abstract\]|Copyright|©).*$")

# Synonyms swapped in (several not used by any corpus abstract).
SYNONYMS: dict[str, list[str]] = {
    "background": ["Background", "Introduction", "Context", "Rationale", "Background information"],
    "aim": ["Aim", "Aims", "Objective", "Objectives", "Purpose", "Study objective", "Goals",
            "Aims and objectives", "Purpose of the study"],
    "method": ["Methods", "Method", "Design", "Setting", "Participants", "Design & setting",
               "Materials and methods", "Measurements", "Interventions", "Methodology",
               "Study design", "Data sources", "Patients and methods"],
    "results": ["Results", "Findings", "Outcomes", "Main results", "Key findings"],
    "conclusion": ["Conclusion", "Conclusions", "Interpretation", "Implications", "Discussion",
                   "Conclusions and implications"],
}  # fmt: skip

Section = tuple[str, str, str]  # heading, label, body


def corpus_abstracts() -> Iterator[str]:
    """AB/N2 values of the corpus files (continuation lines joined), each once."""
    tag = re.compile(r"^([A-Z][A-Z0-9])  ?-(?: |$)")
    seen: set[str] = set()
    for path in sorted([*CORPUS.rglob("*.ris"), *CORPUS.rglob("*.txt")]):
        text = path.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
        parts: list[str] | None = None
        for line in [*text.split("\n"), "ER  - "]:
            m = tag.match(line)
            if m:
                if parts is not None:
                    value = " ".join(parts).strip()
                    if value not in seen:
                        seen.add(value)
                        yield value
                parts = [line[m.end() :]] if m.group(1) in ("AB", "N2") else None
            elif parts is not None and line.strip():
                parts.append(line.strip())


def gold_sections(text: str) -> tuple[str, list[Section]] | None:
    """(text before the first heading, sections) for a structured abstract, else None."""
    matches = list(_GOLD_RE.finditer(text))
    labels = {GOLD[m.group(1).lower()] for m in matches} - {"-"}
    if len(labels) < 2:
        return None
    sections: list[Section] = []
    for m, nxt in zip(matches, [*matches[1:], None], strict=True):
        body = text[m.end() : nxt.start() if nxt else len(text)]
        body = re.sub(r"^[ \t]*:?\s*|^\.\s*", "", body).strip()
        sections.append((m.group(1), GOLD[m.group(1).lower()], body))
    for i, (heading, label, body) in enumerate(sections):
        if trailer := _TRAILER.search(body):
            sections[i : i + 1] = [
                (heading, label, body[: trailer.start()].strip()),
                ("", "-", body[trailer.start() :].strip()),
            ]
            break
    return text[: matches[0].start()].strip(), sections


Style = tuple[Callable[[str], str], str, str]  # heading case, delimiter, separator


def _title(h: str) -> str:
    return h[:1].upper() + h[1:]


STYLES: dict[str, Style] = {
    "UPPER: ": (str.upper, ": ", " "),
    "Title: ": (_title, ": ", " "),
    "lower. ": (str.lower, ". ", " "),
    "Title - ": (_title, " - ", " "),
    "newline": (_title, "\n", "\n"),
    "glued .Title ": (_title, " ", ""),
    "space-only": (_title, " ", " "),
    "UPPER. ": (str.upper, ". ", " "),
    "UPPER newline": (str.upper, "\n", "\n\n"),
    "Title:\\n": (_title, ":\n", "\n"),
    "glued lower: ": (str.lower, ": ", ""),
    "glued UPPER ": (str.upper, " ", ""),
    "Title — ": (_title, " — ", " "),
    "lower: ": (str.lower, ": ", " "),
    "lower space-only": (str.lower, " ", " "),
    "Title Case space": (str.title, " ", " "),
}


def render(
    prefix: str, sections: list[Section], style: Style, synonym: Callable[[str, str], str]
) -> tuple[str, list[tuple[int, int, str]]]:
    """The abstract in ``style`` and its gold spans (merged like the module merges them)."""
    case, delim, sep = style
    out = prefix + (sep or " ") if prefix else ""
    gold: list[tuple[int, int, str]] = []
    for heading, label, body in sections:
        if out and not out.endswith(sep):
            out += sep
        start = len(out)
        if heading:
            out += case(synonym(heading, label)) + delim
        out += body
        if label != "-" and body:
            if gold and gold[-1][2] == label and not out[gold[-1][1] : start].strip():
                gold[-1] = (gold[-1][0], len(out), label)
            else:
                gold.append((start, len(out), label))
    return out, gold


HAND = [
    "⟦background⟧BACKGROUND: Loneliness is common in later life. ⟦aim⟧AIM: To explore how "
    "older adults talk about loneliness. ⟦method⟧METHODS: Twelve focus groups were held. "
    "⟦results⟧RESULTS: Three themes emerged. ⟦conclusion⟧CONCLUSIONS: Loneliness is relational.",
    "⟦background⟧Introduction\nNurses leave the profession early.\n⟦aim⟧Objectives\nWe examined "
    "why.\n⟦method⟧Design\nQualitative descriptive study.\n⟦method⟧Setting\nTwo hospitals in "
    "Norway.\n⟦results⟧Findings\nWorkload dominated the accounts.\n⟦conclusion⟧Implications\n"
    "Managers should act.",
    "⟦background⟧Context. Telehealth expanded fast in 2020. ⟦aim⟧Purpose. This review maps "
    "patient views. ⟦method⟧Methods. Scoping review of 40 studies. ⟦results⟧Results. Patients "
    "valued convenience. ⟦conclusion⟧Discussion. Hybrid care is preferred.",
    "⟦aim⟧Aim – To describe carers’ experiences. ⟦method⟧Method – Interviews with 18 carers. "
    "⟦results⟧Results – Carers felt invisible. ⟦conclusion⟧Conclusion – Services must include "
    "carers.",
    "⟦background⟧Background Antibiotic use in care homes is high.⟦aim⟧Aim To understand "
    "prescribing decisions.⟦method⟧Design & setting Ethnography in six care homes.⟦method⟧Method "
    "Observation and interviews.⟦results⟧Results Staff relied on family pressure."
    "⟦conclusion⟧Conclusion Stewardship must involve families.",
    "⟦-⟧Abstract ⟦background⟧Background Falls are costly. ⟦method⟧Methods We interviewed 30 "
    "physiotherapists. ⟦results⟧Results Participants described trade-offs. ⟦conclusion⟧"
    "Conclusions Guidelines need flexibility.",
    "⟦background⟧Rationale: Few studies ask children. ⟦aim⟧Study objective: To elicit "
    "children's views of asthma care. ⟦method⟧Participants: 25 children aged 8–12. "
    "⟦method⟧Interventions: None. ⟦results⟧Outcomes: Children wanted to be addressed directly. "
    "⟦conclusion⟧Interpretation: Clinicians should talk to the child. ⟦-⟧Trial registration: "
    "ISRCTN12345678.",
    "⟦aim⟧OBJECTIVE To review peer support for psychosis. ⟦method⟧DATA SOURCES Medline and "
    "PsycINFO to 2021. ⟦method⟧STUDY SELECTION Qualitative studies. ⟦results⟧RESULTS Twenty "
    "studies. ⟦conclusion⟧CONCLUSIONS Peer support fosters hope.",
    "⟦background⟧background: burnout among residents is rising. ⟦aim⟧aims: to identify "
    "protective factors. ⟦method⟧materials and methods: a survey of 300 residents. "
    "⟦results⟧results: mentorship protected against burnout. ⟦conclusion⟧conclusion: programmes "
    "should fund mentors.",
    "⟦background⟧Background: The 𝔐ental load of parenting 😀 is rarely measured. ⟦aim⟧Objective: "
    "To develop a measure. ⟦method⟧Methods: Cognitive interviews (n = 14). ⟦results⟧Results: "
    "Items were revised twice. ⟦conclusion⟧Conclusions: The 𝔐-scale is ready for testing.",
    "⟦background⟧Background Most people with dementia live at home. ⟦aim⟧Purpose of the study "
    "To explore what home means. ⟦method⟧Methodology Narrative interviews. ⟦results⟧Key findings "
    "Home anchored identity. ⟦conclusion⟧Conclusions and implications Home care should protect "
    "routines.",
    "⟦background⟧INTRODUCTION: Self-harm in prisons is under-researched. ⟦method⟧MATERIALS & "
    "METHODS: Thematic analysis of 40 case files. ⟦results⟧RESULTS: Staff responses were "
    "inconsistent. ⟦conclusion⟧CONCLUSION: Training is needed. ⟦-⟧KEYWORDS: prison; self-harm.",
    "⟦background⟧Background—Diabetes distress is common. ⟦aim⟧Aims—To test a brief "
    "intervention. ⟦method⟧Methods—Pilot trial with 60 adults. ⟦results⟧Results—Distress fell. "
    "⟦conclusion⟧Conclusions—A full trial is feasible.",
    "⟦aim⟧Objective: To compare two triage systems.\n\n⟦method⟧Methods: Retrospective cohort."
    "\n\n⟦results⟧Results: System B under-triaged older patients.\n\n⟦conclusion⟧Conclusion: "
    "System A is safer. ⟦-⟧© 2022 The Authors.",
    "Background and objectives are often mixed in short abstracts. This one starts with "
    "prose. ⟦results⟧Results Participants (n = 9) valued continuity. "
    "⟦conclusion⟧Conclusion Continuity matters.",
]
PROSE = [
    "Our aim was to explore the results of the trial in this setting. The results suggest that "
    "background noise matters. Purpose and meaning were central themes. In conclusion, more "
    "research is needed. Conclusions were drawn by two authors.",
    "Results were mixed. Methods of coping differed between groups. Objectives of care were "
    "rarely discussed. Findings from other settings are similar. Discussion of these issues is "
    "overdue. Setting goals helped patients.",
    "Background information was provided to participants, whose aims differed. The design of "
    "the study allowed participants to reflect. Interpretation of the findings is cautious.",
]


def parse_hand(marked: str) -> tuple[str, list[tuple[int, int, str]]]:
    text, gold, cursor = "", [], None
    for piece in re.split(r"(⟦[a-z-]+⟧)", marked):
        if m := re.fullmatch(r"⟦([a-z-]+)⟧", piece):
            cursor = (len(text), m.group(1))
            continue
        text += piece
        if cursor and cursor[1] != "-":
            end = cursor[0] + len(piece.rstrip())
            if gold and gold[-1][2] == cursor[1] and not text[gold[-1][1] : cursor[0]].strip():
                gold[-1] = (gold[-1][0], end, cursor[1])
            else:
                gold.append((cursor[0], end, cursor[1]))
    return text, gold


def dev(show: bool = False) -> None:
    """suggest_sections on the corpus's structured abstracts, and on them without headings."""
    score, found, with_spans, elapsed = Score(), 0, 0, 0.0
    abstracts = load()
    for a in abstracts:
        t0 = time.perf_counter()
        pred = suggest_sections(a.text)
        elapsed += time.perf_counter() - t0
        score.add(a.gold, pred)
        if show and pred != a.gold:
            print(f"--- {a.id}\n{a.text}\n gold {a.gold}\n pred {pred}")
        if bare := suggest_sections(a.bare):
            found += len(bare)
            with_spans += 1
    print(f"dev set ({score.n} abstracts): macro-F1 {score.macro_f1():.4f}, exact "
          f"{score.exact}/{score.n}; {score.per_label()}")
    print(f"dev set, headings removed: {found} spans in {with_spans} of {len(abstracts)} texts; "
          f"{elapsed / len(abstracts) * 1e3:.3f} ms per abstract")


def main(show: bool = False, only: str | None = None) -> None:
    if only in (None, "ris"):
        ris(show)
    if only in (None, "dev"):
        dev(show)
    if only in (None, "model"):
        import eval_section_model

        eval_section_model.main()


def ris(show: bool = False) -> None:
    """suggest_sections on the RIS corpus's structured abstracts in many heading styles."""
    real = [g for a in corpus_abstracts() if (g := gold_sections(a))]
    print(f"corpus: {len(real)} structured abstracts with gold sections")
    rng = random.Random(20240611)
    false_spans = renders = 0
    elapsed, calls = 0.0, 0
    print(f"{'style':22} {'own headings':>13} {'synonyms':>9} {'exact':>7}")
    all_scores = Score()
    for name, style in STYLES.items():
        results = []
        for swap in (False, True):
            score = Score()
            for prefix, sections in real:

                def pick(heading: str, label: str, swap: bool = swap) -> str:
                    return rng.choice(SYNONYMS[label]) if swap and label != "-" else heading

                text, gold = render(prefix, sections, style, pick)
                t0 = time.perf_counter()
                pred = suggest_sections(text)
                elapsed += time.perf_counter() - t0
                calls += 1
                score.add(gold, pred)
                all_scores.add(gold, pred)
                if show and gold != pred:
                    print(f"--- {name} swap={swap}\n{text}\n gold {gold}\n pred {pred}")
            results.append(score)
        exact = sum(s.exact for s in results) / sum(s.n for s in results)
        print(f"{name:22} {results[0].macro_f1():13.4f} {results[1].macro_f1():9.4f} {exact:7.1%}")
    print(f"{'all styles':22} {all_scores.macro_f1():13.4f}")
    for sep in (" ", "\n", ""):
        for _, sections in real:
            text = sep.join(body for _, _, body in sections)
            renders += 1
            if pred := suggest_sections(text):
                false_spans += len(pred)
                if show:
                    print(f"--- false spans {pred}\n{text}")
    for text in PROSE:
        renders += 1
        false_spans += len(suggest_sections(text))
    print(f"headings removed: {false_spans} false spans in {renders} texts")
    hand = Score()
    for marked in HAND:
        text, gold = parse_hand(marked)
        pred = suggest_sections(text)
        hand.add(gold, pred)
        if gold != pred:
            print(f"--- hand-written mismatch\n{text}\n gold {gold}\n pred {pred}")
    print(f"hand-written: macro-F1 {hand.macro_f1():.4f}, exact {hand.exact}/{hand.n}")
    print(f"speed: {elapsed / calls * 1e3:.3f} ms per abstract ({calls} calls)")


if __name__ == "__main__":
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    main(show="--show" in sys.argv, only=only)
