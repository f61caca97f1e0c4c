"""LocalAgreement-2 on scripted hypotheses (no model)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.asr.streaming.policy import (
    TIME_TOLERANCE,
    HypWord,
    LocalAgreement,
    count_revision,
    join_words,
    normalise,
)
from desktop.asr.streaming.recognizer import join_text, transcript_from_segments
from desktop.core.types import TranscriptSegment

SPOKEN = [
    "and",
    "so",
    "my",
    "fellow",
    "americans",
    "ask",
    "not",
    "what",
    "your",
    "country",
    "can",
    "do",
    "for",
    "you",
]


def hyp(words: list[str], start: float = 0.0, step: float = 0.5) -> list[HypWord]:
    return [HypWord(start + i * step, start + (i + 1) * step, f" {w}") for i, w in enumerate(words)]


def texts(words: list[HypWord]) -> list[str]:
    return [normalise(w.text) for w in words]


def test_first_hypothesis_is_only_tentative() -> None:
    la = LocalAgreement()
    update = la.update(hyp(SPOKEN[:3]))
    assert update.committed == []
    assert texts(update.tentative) == SPOKEN[:3]


def test_two_agreeing_hypotheses_commit_their_common_prefix() -> None:
    la = LocalAgreement()
    la.update(hyp(["and", "so", "my", "fell"]))
    update = la.update(hyp(["and", "so", "my", "fellow", "americans"]))
    assert texts(update.committed) == ["and", "so", "my"]
    assert texts(update.tentative) == ["fellow", "americans"]
    assert la.committed_end == 1.5


def test_committed_words_repeated_by_the_next_decode_are_not_committed_again() -> None:
    la = LocalAgreement()
    la.update(hyp(SPOKEN[:4]))
    la.update(hyp(SPOKEN[:5]))  # commits 4
    update = la.update(hyp(SPOKEN[:6]))  # the window still starts at "and"
    assert texts(update.committed) == ["americans"]
    assert texts(update.tentative) == ["ask"]


def test_a_committed_word_with_shifted_timing_is_recognised_by_its_text() -> None:
    la = LocalAgreement()
    la.update(hyp(["and", "so", "my"]))
    la.update(hyp(["and", "so", "my", "fellow"]))  # commits and so my (ends 1.5)
    # The next decode places "my" a little later than before: time alone would keep it.
    shifted = [*hyp(["and", "so"]), HypWord(1.45, 1.9, " my"), *hyp(["fellow", "americans"], start=1.9)]
    update = la.update(shifted)
    assert texts(update.committed) == ["fellow"]
    assert texts(update.tentative) == ["americans"]


def test_disagreement_commits_nothing_and_counts_a_revision() -> None:
    la = LocalAgreement()
    first = la.update(hyp(["watch", "your", "country"]))
    second = la.update(hyp(["what", "your", "country"]))
    assert second.committed == []
    assert count_revision(first.tentative, second.committed, second.tentative) == 1
    third = la.update(hyp(["what", "your", "country", "can"]))
    assert texts(third.committed) == ["what", "your", "country"]
    assert count_revision(second.tentative, third.committed, third.tentative) == 0


def test_commit_all_closes_the_utterance() -> None:
    la = LocalAgreement()
    la.update(hyp(SPOKEN[:3]))
    la.update(hyp(SPOKEN[:4]))  # commits 3
    final = la.commit_all(hyp(SPOKEN[:6]))
    assert texts(final) == SPOKEN[3:6]
    assert not la.has_pending
    # A new utterance starts from scratch: its first decode commits nothing.
    assert la.update(hyp(["thank", "you"], start=10.0)).committed == []


def test_force_commit_before_a_cut() -> None:
    la = LocalAgreement()
    la.update(hyp(SPOKEN[:6]))
    forced = la.force_commit_before(1.6)
    assert texts(forced) == ["and", "so", "my"]
    assert texts(la.pending) == ["fellow", "americans", "ask"]


def test_first_seen_is_kept_while_a_word_stays_tentative() -> None:
    la = LocalAgreement()
    la.update(hyp(["and", "so"]), now=10.0, audio_pos=1.0)
    update = la.update(hyp(["and", "so", "my"]), now=11.0, audio_pos=2.0)
    assert [w.first_seen for w in update.committed] == [10.0, 10.0]
    assert [w.first_seen_audio for w in update.tentative] == [2.0]


def test_normalise_folds_case_width_and_edge_punctuation() -> None:
    assert normalise(" Americans,") == "americans"
    assert normalise("ＡＢＣ") == "abc"
    assert normalise("。") == "。"  # punctuation alone stays comparable


def test_join_words_and_join_text() -> None:
    assert join_words(hyp(["and", "so"])) == "and so"
    assert join_words([HypWord(0, 1, "甚"), HypWord(1, 2, "至")]) == "甚至"
    assert join_text("And so my", "fellow Americans.") == "And so my fellow Americans."
    assert join_text("甚至出現", "交易") == "甚至出現交易"
    assert join_text("I take", "metformin") == "I take metformin"
    assert join_text("for you", ", ask") == "for you, ask"


def test_transcript_merges_the_parts_of_each_utterance_without_changing_text() -> None:
    parts = [
        TranscriptSegment("u1-1", 0.5, 1.7, "And so my", language="en"),
        TranscriptSegment("u1-2", 1.7, 2.5, "fellow Americans.", language="en"),
        TranscriptSegment("u2-1", 3.3, 4.2, "Ask not.", language="en"),
    ]
    merged = transcript_from_segments(parts, "en")
    assert [(s.id, s.text, s.start, s.end) for s in merged] == [
        ("u1", "And so my fellow Americans.", 0.5, 2.5),
        ("u2", "Ask not.", 3.3, 4.2),
    ]
    assert parts[0].text == "And so my"  # the final parts themselves are untouched


@st.composite
def noisy_decodes(draw: st.DrawFn) -> list[list[HypWord]]:
    """Decodes of a growing window: each hears a prefix of the speech, with a garbled tail."""
    n = len(SPOKEN)
    heard = sorted(draw(st.lists(st.integers(1, n), min_size=2, max_size=14)))
    decodes = []
    for upto in heard:
        words = SPOKEN[:upto]
        garble = draw(st.integers(0, min(2, upto)))
        if garble:
            words = words[: upto - garble] + [f"x{draw(st.integers(0, 3))}" for _ in range(garble)]
        decodes.append(hyp(words))
    return decodes


@settings(max_examples=100, deadline=None)
@given(noisy_decodes())
def test_committed_words_only_ever_extend_and_were_agreed_on(decodes: list[list[HypWord]]) -> None:
    la = LocalAgreement()
    committed: list[HypWord] = []
    for decode in decodes:
        tentative_before = texts(la.pending)
        update = la.update(decode)
        if update.committed:
            # Agreement: the committed words begin what the previous decode left tentative, and
            # they are this decode's own words (its timing). A re-decode that shifts a word onto
            # the last committed one's place repeats it, so positions are not compared.
            assert texts(update.committed) == tentative_before[: len(update.committed)]
            assert all(w in decode for w in update.committed)
            if committed:  # only ever after what is already final: no word committed twice
                assert update.committed[0].start > committed[-1].end - TIME_TOLERANCE
        committed.extend(update.committed)
    starts = [w.start for w in committed]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


def test_a_re_decode_shifted_onto_the_last_committed_word_does_not_repeat_it() -> None:
    """Whisper re-decodes the window and the words after the committed ones can start on the
    last committed word's place: that word is not committed twice."""
    la = LocalAgreement()
    la.update(hyp(["and", "so", "my"]))
    assert texts(la.update(hyp(["and", "so", "my", "fellow"])).committed) == ["and", "so", "my"]
    # The next decode hears one word more at the start ("and so so my…"): "my" moved to 1.5 s.
    shifted = hyp(["and", "so", "so", "my", "fellow", "americans"])
    later = la.update(shifted).committed + la.update(shifted).committed
    assert texts(later) == ["fellow", "americans"]
