"""The pre-consultation intake in the desktop app (only when the clinic policy enables it).

* ``monitor.py`` — polls today's queue on the database worker while the app runs;
* ``alert.py`` — the Category 1 banner across the window, until someone acknowledges it;
* ``codes.py`` — the one-time patient code with its QR code, to scan or print;
* ``queue.py`` — today's queue on the consultations page (category, waiting, summary) and the
  nurse's category change;
* ``summary.py`` — the consultation's Intake tab: the confirmed summary, Copy, and the chat.
"""
