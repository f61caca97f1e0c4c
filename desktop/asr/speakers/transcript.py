"""Labels for a whole transcript at once: a recording processed after the visit."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from desktop.asr.speakers.channels import split_at_channel_turns
from desktop.asr.speakers.edits import apply_labels
from desktop.asr.speakers.embed import Embedder
from desktop.asr.speakers.labeller import SpeakerLabeller
from desktop.asr.speakers.profile import VoiceProfile
from desktop.core.types import Transcript


def label_transcript(
    transcript: Transcript,
    samples: np.ndarray,
    *,
    embedder: Embedder | None = None,
    profile: VoiceProfile | None = None,
    doctor_channel: int = 0,
) -> Transcript:
    """Doctor / patient / other on every segment, from the voices and what is said.

    ``samples`` is mono, or ``(n, 2)`` from a room with a lapel microphone on the doctor (on
    channel ``doctor_channel``): segments are then split where the loud microphone changes, and
    the balance between the channels names the doctor.
    """
    labeller = SpeakerLabeller(profile, embedder=embedder, doctor_channel=doctor_channel)
    if getattr(samples, "ndim", 1) == 2:
        transcript = replace(
            transcript, segments=split_at_channel_turns(transcript.segments, samples, doctor_channel)
        )
    for seg in transcript.segments:
        labeller.label(samples, seg.start, seg.end, seg.text, segment_id=seg.id, buffer_start=0.0)
    return apply_labels(transcript, labeller.review())
