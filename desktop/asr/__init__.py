"""Speech recognition: faster-whisper engine, streaming policy, VAD, script conversion, filters."""
