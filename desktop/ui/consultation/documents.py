"""The Letters tab of a consultation: what its documents are made from, and where they are kept.

A document is made from the note in the editor, the patient and the letterhead with the
signing doctor; while the note is not signed it is a DRAFT that takes nothing from suggestions
no one accepted (the letters port, ``draft=``). Each document made is saved as a version in the
store. The language model writes the prose on its own thread, shared with drafting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtWidgets import QWidget

from desktop.config import ClinicSettings
from desktop.core.errors import UserFacingError
from desktop.core.types import SoapNote, Transcript
from desktop.services.backend import Backend
from desktop.services.db import DbCall
from desktop.services.jobs import Job, JobContext
from desktop.services.ports import (
    ConsultationInfo,
    LetterVersion,
    NoteVersion,
    RecordsPort,
    RenderedLetter,
    UserInfo,
)
from desktop.ui.common import show_error
from desktop.ui.letters import LettersPanel
from desktop.ui.soap import SoapEditor


class Consultation(Protocol):
    """What the Letters tab reads of the consultation view."""

    backend: Backend
    user: UserInfo
    info: ConsultationInfo
    transcript: Transcript
    editor: SoapEditor

    def latest(self) -> NoteVersion | None: ...
    def signed(self) -> bool: ...
    def _call(self, what: str, fn: Any) -> DbCall[Any]: ...


def submit_letter_job(backend: Backend, job: Job) -> Job:
    """Letters share the language model with drafting, so they run on the thread that owns it."""
    return backend.thread("llm").run(job)


class ConsultationLetters:
    """Connects the Letters ``panel`` to the consultation ``view`` (errors shown over ``widget``)."""

    def __init__(self, view: Consultation, panel: LettersPanel, widget: QWidget) -> None:
        self.view = view
        self.panel = panel
        self.widget = widget
        panel.render_fn = self.render
        panel.defaults_fn = self.defaults
        panel.save_fn = self.save
        panel.export_fn = view.backend.letters.export

    def clinic(self) -> ClinicSettings:
        """The letterhead and the signing doctor: the signed-in doctor, or the consultation's doctor
        when a nurse prepares the document."""
        view = self.view
        clinic = dataclasses.replace(view.backend.settings.clinic)
        if view.user.role == "doctor":
            clinic.doctor_name = view.user.display_name
            clinic.registration_no = view.user.registration_no or clinic.registration_no
        elif view.info.doctor_name:  # a nurse prepares it for the consultation's doctor
            clinic.doctor_name = view.info.doctor_name
            clinic.registration_no = view.info.doctor_registration or clinic.registration_no
        return clinic

    def current_note(self) -> SoapNote:
        if self.view.latest() is None:
            return SoapNote(chief_complaint=self.view.info.chief_complaint)
        return self.view.editor.note()

    def defaults(self, kind: str) -> dict[str, str]:
        view = self.view
        try:
            return view.backend.letters.defaults(
                kind, self.current_note(), view.info.patient, self.clinic(), draft=not view.signed()
            )
        except UserFacingError as exc:
            show_error(self.widget, exc.message, exc.hint)
            return {}

    def render(self, kind: str, values: dict[str, str]) -> Callable[[JobContext], RenderedLetter]:
        """Reads the note, patient, doctor and transcript here, on the GUI thread; the returned work
        runs on the letters job's thread and touches no widget."""
        view = self.view
        letters = view.backend.letters
        note, patient, clinic = self.current_note(), view.info.patient, self.clinic()
        transcript, draft = view.transcript, not view.signed()
        language = values.get("_language", "")
        clean = {k: v for k, v in values.items() if not k.startswith("_")}

        def work(ctx: JobContext) -> RenderedLetter:
            ctx.check_cancel()
            return letters.render(
                kind,
                note,
                patient,
                clinic,
                clean,
                language,
                transcript,
                ctx.cancel_event,
                ctx.progress,
                draft=draft,
            )

        return work

    def save(self, letter: RenderedLetter, values: dict[str, str], letter_id: str) -> DbCall[Any]:
        user, cid = self.view.user, self.view.info.id

        def work(r: RecordsPort) -> tuple[LetterVersion, list[LetterVersion]]:
            saved = r.save_letter(user, cid, letter.kind, letter.html, values, letter_id)
            return saved, r.letters(cid)

        what = self.widget.tr("saving the document")
        return self.view._call(what, work).then(lambda a: self.panel.set_versions(a[1]))
