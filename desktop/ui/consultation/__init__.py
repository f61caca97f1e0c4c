"""The open consultation: header, recording bar, transcript, note editor and letters.

* ``header.py`` — the patient line and the status badge;
* ``recorder.py`` — the recording bar and the recording session it drives (read-ahead included);
* ``drafting.py`` — the draft's progress row and the drafting job;
* ``view.py`` — :class:`ConsultationView`, which puts them together and talks to the store
  through the database worker (``services/db.py``), never on the GUI thread.
"""

from desktop.ui.consultation.header import patient_line
from desktop.ui.consultation.view import ConsultationView

__all__ = ["ConsultationView", "patient_line"]
