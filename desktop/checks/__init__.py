"""Checks of a note against its consultation: what the draft left out, and where it says the opposite.

Engine-level (no Qt). ``desktop.checks.engine.Checker`` is the entry point; the lexicon of
concepts is ``concepts.json``; the written cases that measure it are in ``cases/``.
"""
