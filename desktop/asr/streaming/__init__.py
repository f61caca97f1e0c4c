"""Live recognition while the consultation is recorded.

- :mod:`.session`: the live loop (``pump``) and the recogniser on its own thread;
- :mod:`.recognizer`: the streaming recogniser (local agreement over a moving window);
- :mod:`.decoder`: one decode step over the window;
- :mod:`.policy`: when a stretch of speech is final;
- :mod:`.live`: what the app records through, the recogniser with turns and speaker labels.
"""
