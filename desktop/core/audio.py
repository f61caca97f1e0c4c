"""The one audio format inside ConsultScribe: 16 kHz mono float32 (what Whisper and the VAD expect).

Capture, decoding, the encrypted journal and every engine convert to or read this rate.
"""

from __future__ import annotations

SAMPLE_RATE = 16_000
