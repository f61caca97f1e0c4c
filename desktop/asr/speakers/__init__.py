"""Who said it: doctor, patient or other, for each line of the transcript.

* :mod:`.labeller` — :class:`~.labeller.SpeakerLabeller`, one per consultation: voices, roles, review at Stop
* :mod:`.labels` — a label, its confidence, and when it asks for a check
* :mod:`.profile` — the doctor's enrolled voice (enrolment, versioned bytes, the record store)
* :mod:`.channels` — two microphones: the lapel/room balance and turn changes inside a segment
* :mod:`.edits` — a person's corrections (relabel one line, swap two speakers, apply reviewed labels)
* :mod:`.embed` — voice embedders (MFCC/pitch statistics; a clinic's ONNX model)
* :mod:`.features` — MFCC, pitch and spectral features of an utterance
* :mod:`.text` — what the words say about who is speaking
"""
