"""Audio capture (sounddevice) and file/array sources that replay recordings in real time."""
