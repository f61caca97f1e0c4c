"""Widgets only. Never imports sounddevice, faster_whisper, llama_cpp or the database."""
