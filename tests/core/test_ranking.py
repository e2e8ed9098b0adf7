"""The screening ranking's model: naive Bayes on TF-IDF, fitted on decisions, scoring all."""

from __future__ import annotations

from litdesk.core.ranking import Corpus, best, rank, tokens

DOCS = [(1, "Opioid prescribing by general practitioners"),
        (2, "Parking fees at the hospital"),
        (3, "Opioid tapering in general practice"),
        (4, "Hospital parking and staff satisfaction"),
        (5, "Prescribing patterns of opioid analgesics")]


def test_the_included_topic_ranks_first():
    ranked = rank(Corpus(DOCS), {1: True, 2: False})
    assert ranked is not None
    assert ranked.trained_on == 2
    assert best(ranked.scores, [3, 4, 5]) in (3, 5)
    assert ranked.scores[3] > ranked.scores[4]
    assert ranked.scores[5] > ranked.scores[4]


def test_no_model_without_an_include_and_an_exclude():
    assert rank(Corpus(DOCS), {1: True, 3: True}) is None
    assert rank(Corpus(DOCS), {}) is None


def test_records_that_share_no_word_give_no_model_and_no_error():
    # every word in one record only (or no text at all): nothing to learn from
    corpus = Corpus([(1, "alpha beta"), (2, "gamma delta"), (3, "")])
    assert corpus.size == 0
    assert rank(corpus, {1: True, 2: False}) is None
    assert rank(Corpus([]), {1: True, 2: False}) is None


def test_stop_words_digits_and_case_are_left_out():
    assert tokens("The 2 Opioid studies") == ["opioid", "studies", "opioid studies"]
