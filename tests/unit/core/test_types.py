def test_note_markdown_shows_typed_and_recorded_text_literally() -> None:
    from desktop.core.types import NoteStatement, Patient, SoapNote

    patient = Patient(name="CHAN <script>alert(1)</script>", mrn="<img src=x onerror=alert(1)>")
    note = SoapNote(chief_complaint="**Headache** [click](http://x)")
    note.subjective.append(NoteStatement("Takes <b>5.5 mg</b> daily", evidence=["s1"]))
    text = note.to_markdown(patient)
    assert "<script>" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "\\*\\*Headache\\*\\* \\[click\\](http://x)" in text
    assert "5.5 mg" in text
