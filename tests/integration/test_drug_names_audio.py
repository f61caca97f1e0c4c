"""The speech model chooses between near drug names on the audio (A13).

Whisper base can hear "atorvastatin" and "pravastatin" alike ("aburvastatin"); spelling and
sound alone cannot tell which was said, so on text the corrector leaves the word as heard. With
the audio, the same heard words become the drug that was said (or stay as heard when the audio
does not tell clearly), and words that really were ordinary words ("lens appraisal") stay as
heard. Speech is synthesised by espeak-ng and flite.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from desktop.asr.drug_names import AudioScorer, DrugNameCorrector
from desktop.asr.engine import WhisperEngine
from desktop.core.audio import SAMPLE_RATE
from desktop.core.types import TranscriptSegment
from desktop.eval.tts import TtsVoice, silence, speak

pytestmark = pytest.mark.slow

# espeak-ng and flite speak the same audio every time; Piper samples its prosody, so a test that
# names the outcome over Piper audio would pass or fail by chance
VOICES = [TtsVoice("espeak", "en-us", 1.0, 45), TtsVoice("flite", "kal16", 1.0, 50)]


@pytest.fixture(scope="module")
def engine(asr_model_path: Path) -> WhisperEngine:
    return WhisperEngine(asr_model_path, device="cpu", compute_type="int8", cpu_threads=2)


@pytest.fixture(scope="module")
def corrector(asr_model_path: Path) -> DrugNameCorrector:
    return DrugNameCorrector.for_model(asr_model_path)


def _heard_over(voice: TtsVoice, said: str, heard: str) -> tuple[TranscriptSegment, np.ndarray]:
    """A segment whose text is ``heard``, over audio of ``said``."""
    audio = np.concatenate([silence(0.3), speak(voice, said), silence(0.3)])
    end = audio.size / SAMPLE_RATE - 0.3
    return TranscriptSegment(id="s1", start=0.3, end=end, text=heard, language="en"), audio


PAIRS = [("ciprofloxacin", "sparfloxacin", "syprophloxacin"), ("atorvastatin", "pravastatin", "aburvastatin")]
SENTENCE = "I take {} 20 milligrams every night."


@pytest.mark.parametrize("voice", VOICES, ids=lambda v: f"{v.engine}-{v.name}")
@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p[2])
def test_one_heard_spelling_never_becomes_the_drug_not_said(
    engine: WhisperEngine, corrector: DrugNameCorrector, voice: TtsVoice, pair: tuple[str, str, str]
) -> None:
    """Two drugs heard alike: each recording gets the drug said, or keeps the heard word when the
    audio does not tell them apart clearly; never the other drug."""
    first, second, heard = pair
    # on text alone the two drugs are as close as each other: left as heard
    assert corrector.correct_text(SENTENCE.format(heard)) == (SENTENCE.format(heard), [])
    for said, other in ((first, second), (second, first)):
        segment, audio = _heard_over(voice, SENTENCE.format(said), SENTENCE.format(heard))
        (fixed,) = corrector.correct([segment], AudioScorer(engine, audio))
        assert fixed.text in (SENTENCE.format(said), SENTENCE.format(heard)), (said, fixed.text)
        assert other not in fixed.text


def test_the_audio_decides_which_drug_one_heard_spelling_was(
    engine: WhisperEngine, corrector: DrugNameCorrector
) -> None:
    """The same heard words over two recordings become two different drugs: the ones said."""
    heard = SENTENCE.format("syprophloxacin")
    for said in ("ciprofloxacin", "sparfloxacin"):
        segment, audio = _heard_over(VOICES[1], SENTENCE.format(said), heard)
        (fixed,) = corrector.correct([segment], AudioScorer(engine, audio))
        assert fixed.text == SENTENCE.format(said)
        (c,) = fixed.corrections
        assert (c.heard, c.text, c.canonical) == ("syprophloxacin", said, said)


COMMON = [
    ("Take the {} to the front desk.", "lens appraisal", "lansoprazole"),
    ("Please start {} at night.", "mental in", "Ventolin"),
    ("We will give {} instead.", "Laura Tadi", "loratadine"),
]


@pytest.mark.parametrize(
    "voice", [*VOICES, TtsVoice("flite", "rms", 1.0, 50)], ids=lambda v: f"{v.engine}-{v.name}"
)
def test_ordinary_words_said_stay_and_a_drug_said_is_written(
    engine: WhisperEngine, corrector: DrugNameCorrector, voice: TtsVoice
) -> None:
    """Heard words that are ordinary words: kept when they were said; the drug written when it was
    said and the audio shows it (else kept as heard, never another drug)."""
    written = 0
    for sentence, words, drug in COMMON:
        heard = sentence.format(words)
        segment, audio = _heard_over(voice, heard, heard)
        (kept,) = corrector.correct([segment], AudioScorer(engine, audio))
        assert (kept.text, kept.corrections) == (heard, []), voice
        segment, audio = _heard_over(voice, sentence.format(drug), heard)
        (fixed,) = corrector.correct([segment], AudioScorer(engine, audio))
        assert fixed.text in (sentence.format(drug), heard)
        if fixed.corrections:
            assert [c.heard for c in fixed.corrections] == [words]
            written += 1
    assert written >= 2, voice


def test_scores_follow_the_audio(engine: WhisperEngine) -> None:
    """The likelihood the corrector asks for: the text said scores above a near one."""
    audio = np.concatenate([silence(0.3), speak(VOICES[0], "Stop the ramipril today."), silence(0.3)])
    said, other = engine.scorer(audio)(["Stop the ramipril today.", "Stop the rabeprazole today."])
    assert said > other
    assert engine.scorer(audio)([]) == []


def test_a_cue_in_the_segment_before_counts(corrector: DrugNameCorrector) -> None:
    """Whisper often ends a segment after "allergic to": the next segment is still read as a drug context."""
    before = TranscriptSegment(id="s1", start=0.0, end=1.6, text="She is allergic to", language="en")
    after = TranscriptSegment(id="s2", start=1.7, end=3.9, text="clolchicine so we will wait.", language="en")
    alone = TranscriptSegment(id="s3", start=0.0, end=2.2, text="clolchicine so we will wait.", language="en")
    assert corrector.correct([alone])[0].corrections == []
    fixed = corrector.correct([before, after])
    assert fixed[1].text == "colchicine so we will wait."
    far = TranscriptSegment(id="s4", start=9.0, end=11.2, text="clolchicine so we will wait.", language="en")
    assert corrector.correct([before, far])[1].corrections == []  # a long pause ends the sentence
