"""The SOAP editor shows the medications part with each drug's status, and keeps what the draft said
about itself (typed chief complaint, quoted sections) through an edit."""

from __future__ import annotations

from desktop.core.types import NoteStatement, SoapNote
from desktop.ui.soap import SoapEditor


def test_statuses_and_draft_facts_survive_an_edit(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = SoapEditor()
    qtbot.addWidget(editor)
    note = SoapNote(
        chief_complaint="Ankle swelling",
        chief_complaint_source="typed",
        medications=[
            NoteStatement("Amlodipine 5 mg", ["u4"], status="stopped", source="quote"),
            NoteStatement("Losartan 50 mg once a day", ["u5"], status="started"),
        ],
        objective=[NoteStatement("Pitting swelling at both ankles.", ["u3"], source="quote")],
        quoted_sections=["objective"],
    )
    editor.set_note(note, frozenset({"medications"}), True, True, "AI draft.")
    assert editor.sections["medications"].title() == "Medications and allergies"
    rows = editor.sections["medications"].rows
    assert rows[0].source.text().startswith("stopped") and "as said" in rows[0].source.text()
    assert "Objective" in editor.banner.text() and not editor.chief_typed.isHidden()
    rows[1].edit.setPlainText("Losartan 25 mg once a day")
    edited = editor.note()
    assert [(s.text, s.status) for s in edited.medications] == [
        ("Amlodipine 5 mg", "stopped"),
        ("Losartan 25 mg once a day", "started"),
    ]
    assert edited.chief_complaint_source == "typed" and edited.quoted_sections == ["objective"]
    editor.chief.setText("Swollen ankles")  # no longer what the user typed
    assert editor.note().chief_complaint_source == ""
