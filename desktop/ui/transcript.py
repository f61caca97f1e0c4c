"""The live transcript: final words black and fixed, the tentative tail grey, speaker labels.

Final segments are appended once and their words never rewritten, so final text never jumps;
only the grey tentative tail after them is replaced. A speaker label can still settle: a final
line sent again (same id) within its first two decode steps carries its settled label, and the
lines from it to the end are redrawn with the same words. A label the labeller is unsure of is
shown with a question mark ("Patient?") for the doctor to check. Auto-scroll follows new text
until the user scrolls up, and resumes when they scroll back to the bottom.

Two kinds of words are marked. A drug name put right after recognition is underlined in green;
its tooltip says what was heard, and the context menu puts the heard text back
(``correction_undone``). After Stop the transcript is the record (a second, fuller decode);
words that differ from what the live view showed have a blue background and the live text in
their tooltip.
"""

from __future__ import annotations

import difflib

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QKeyEvent,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QTextEdit, QWidget

from desktop.core.lines import merge_pieces
from desktop.core.types import TranscriptSegment, speaker_uncertain

SPEAKER_COLOURS = {"doctor": "#1565c0", "patient": "#6a1b9a", "other": "#00695c", "unknown": "#555555"}
TENTATIVE = QColor("#9e9e9e")
FINAL = QColor("#000000")
HIGHLIGHT = QColor("#fff59d")
CORRECTED = QColor("#2e7d32")
DIFFERS = QColor("#e3f2fd")


def speaker_label(speaker: str) -> str:
    labels = {
        "doctor": QCoreApplication.translate("Speakers", "Doctor"),
        "patient": QCoreApplication.translate("Speakers", "Patient"),
        "other": QCoreApplication.translate("Speakers", "Other"),
        "unknown": QCoreApplication.translate("Speakers", "Speaker"),
    }
    return labels.get(speaker, speaker)


def _clock(seconds: float) -> str:
    total = int(seconds)
    return f"{total // 60:02d}:{total % 60:02d}"


class TranscriptView(QTextEdit):
    """Read-only transcript. ``update_segments`` takes batches from the recording session.

    ``correction_undone(list[TranscriptSegment])`` (main thread): the doctor put a heard drug
    name back; carries every final segment, to be saved.
    """

    correction_undone = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcript")
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setPlaceholderText(self.tr("The transcript appears here while you record."))
        self._final: list[TranscriptSegment] = []
        self._tentative: list[TranscriptSegment] = []
        self._final_end = 0  # document position where the tentative tail starts
        self._blocks: dict[str, tuple[int, int]] = {}  # segment id -> (start, end) positions
        # The lines shown: (start position, the line's segment, ids of the pieces it joins).
        self._lines: list[tuple[int, TranscriptSegment, list[str]]] = []
        self._text_at: dict[str, int] = {}  # segment id -> where its words start in the document
        self.follow = True
        self._updating = False
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.verticalScrollBar().rangeChanged.connect(self._range_changed)

    # -- data -------------------------------------------------------------------------------
    def clear_transcript(self) -> None:
        self._final.clear()
        self._tentative.clear()
        self._blocks.clear()
        self._lines.clear()
        self._text_at.clear()
        self._final_end = 0
        self.clear()
        self.follow = True

    def set_segments(self, segments: list[TranscriptSegment]) -> None:
        self.clear_transcript()
        self.update_segments([s for s in segments if s.final])

    def final_segments(self) -> list[TranscriptSegment]:
        return list(self._final)

    def tentative_segments(self) -> list[TranscriptSegment]:
        return list(self._tentative)

    def final_text(self) -> str:
        return self.toPlainText()[: self._final_end]

    def update_segments(self, batch: list[TranscriptSegment]) -> None:
        """Append the batch's final segments; its tentative segments replace the grey tail."""
        self._updating = True
        try:
            self._apply(batch)
        finally:
            self._updating = False
        if self.follow:
            self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def _settle(self, batch: list[TranscriptSegment]) -> list[TranscriptSegment]:
        """Lines sent again with a settled label: take the document back to the first of them and
        return everything from there, with the new labels, followed by the rest of the batch."""
        index = {s.id: i for i, s in enumerate(self._final)}
        again = {s.id: s for s in batch if s.final and s.id in index}
        if not again:
            return batch
        first_line = min(k for k, (_, _, ids) in enumerate(self._lines) if again.keys() & set(ids))
        start, _, ids = self._lines[first_line]
        first = index[ids[0]]
        redo = [again.get(s.id, s) for s in self._final[first:]]
        for seg in self._final[first:]:
            self._blocks.pop(seg.id, None)
        del self._final[first:]
        del self._lines[first_line:]
        self._final_end = start
        return redo + [s for s in batch if not (s.final and s.id in again)]

    def _apply(self, batch: list[TranscriptSegment]) -> None:
        batch = self._settle(batch)
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._final_end)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        for seg in batch:
            if not seg.final:
                continue
            self._final.append(seg)
            last = self._lines[-1] if self._lines else None
            joined = merge_pieces([last[1], seg]) if last is not None else []
            if last is not None and len(joined) == 1:
                # The next piece of the same utterance and speaker continues its line: its words
                # are added at the end, so nothing already shown moves.
                start, shown, ids = last
                text = QTextCharFormat()
                text.setForeground(FINAL)
                added = joined[0].text[len(shown.text) :]
                words = seg.text.strip()
                if seg.corrections and added.endswith(words):
                    cursor.insertText(added[: len(added) - len(words)], text)
                    self._insert_marked(cursor, seg, text)
                else:
                    cursor.insertText(added, text)
                ids = [*ids, seg.id]
                self._lines[-1] = (start, joined[0], ids)
            else:
                start = cursor.position()
                self._write(cursor, seg, final=True)
                ids = [seg.id]
                self._lines.append((start, seg, ids))
            for sid in ids:
                self._blocks[sid] = (start, cursor.position())
        self._final_end = cursor.position()
        # Each tentative replaces the one before; one that came before a final is out of date.
        last_final = max((i for i, s in enumerate(batch) if s.final), default=-1)
        pending = [s for s in batch[last_final + 1 :] if not s.final]
        self._tentative = pending[-1:]
        for seg in self._tentative:
            self._write(cursor, seg, final=False)

    def _write(self, cursor: QTextCursor, seg: TranscriptSegment, *, final: bool) -> None:
        if cursor.position() > 0:
            cursor.insertBlock()
        stamp = QTextCharFormat()
        stamp.setForeground(QColor("#888888"))
        stamp.setFontPointSize(max(7.0, self.font().pointSizeF() - 1))
        cursor.insertText(f"{_clock(seg.start)}  ", stamp)
        who = QTextCharFormat()
        who.setFontWeight(QFont.Weight.Bold)
        who.setForeground(QColor(SPEAKER_COLOURS.get(seg.speaker, "#555555")) if final else TENTATIVE)
        confidence = seg.speaker_confidence
        unsure = (
            final and confidence is not None and seg.speaker != "unknown" and speaker_uncertain(confidence)
        )
        if unsure:  # marked for a check, not flipped later: the label may be wrong
            who.setFontItalic(True)
            who.setToolTip(self.tr("Speaker uncertain: please check who said this line."))
        cursor.insertText(speaker_label(seg.speaker) + ("?" if unsure else ""), who)
        if seg.language:
            # Before the words, so a line that grows while people speak only grows at its end.
            tag = QTextCharFormat()
            tag.setForeground(QColor("#777777"))
            tag.setFontPointSize(max(7.0, self.font().pointSizeF() - 2))
            cursor.insertText(f" [{seg.language}]", tag)
        cursor.insertText(": ", who)
        text = QTextCharFormat()
        text.setForeground(FINAL if final else TENTATIVE)
        if not final:
            text.setFontItalic(True)
            cursor.insertText(seg.text.strip(), text)
            return
        self._insert_marked(cursor, seg, text)

    def _insert_marked(self, cursor: QTextCursor, seg: TranscriptSegment, text: QTextCharFormat) -> None:
        """The segment's words, corrected drug names and words the live view showed otherwise marked."""
        self._text_at[seg.id] = cursor.position() - (len(seg.text) - len(seg.text.lstrip()))
        for chunk, mark in _marked_runs(seg):
            fmt = QTextCharFormat(text)
            if mark.startswith("heard:"):
                fmt.setForeground(CORRECTED)
                fmt.setFontUnderline(True)
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                fmt.setToolTip(
                    self.tr("Heard: “%1” — corrected to a drug name; right-click to undo").replace(
                        "%1", mark[len("heard:") :]
                    )
                )
            elif mark.startswith("live:"):
                fmt.setBackground(DIFFERS)
                fmt.setToolTip(self.tr("The live view showed: %1").replace("%1", mark[len("live:") :]))
            cursor.insertText(chunk, fmt)

    # -- corrections -----------------------------------------------------------------------
    def correction_at(self, position: int) -> tuple[TranscriptSegment, int] | None:
        """The final segment and the index of the drug-name correction at a document position."""
        for _start, seg, ids in self._lines:
            for piece in [seg, *(s for s in self._final if s.id in ids)]:
                at = self._text_at.get(piece.id)
                if at is None:
                    continue
                for i, c in enumerate(piece.corrections):
                    if at + c.start <= position < at + c.end:
                        return piece, i
        return None

    def undo_correction(self, segment: TranscriptSegment, index: int) -> None:
        segment.undo_correction(index)
        final = list(self._final)
        self.set_segments(final)
        self.correction_undone.emit(final)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu()
        found = self.correction_at(self.cursorForPosition(event.pos()).position())
        if found is not None:
            segment, index = found
            heard = segment.corrections[index].heard
            action = menu.addAction(self.tr("Undo the correction (put back “%1”)").replace("%1", heard))
            action.triggered.connect(lambda: self.undo_correction(segment, index))
        menu.exec(event.globalPos())

    # -- evidence highlighting ---------------------------------------------------------------
    def highlight(self, segment_ids: list[str]) -> list[str]:
        """Highlight the given segments; returns the ids that were found."""
        selections = []
        found = []
        for sid in segment_ids:
            span = self._blocks.get(sid)
            if span is None:
                continue
            found.append(sid)
            sel = QTextEdit.ExtraSelection()
            sel.format.setBackground(HIGHLIGHT)
            sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            cur = QTextCursor(self.document())
            cur.setPosition(span[0])
            cur.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cur
            selections.append(sel)
        self.setExtraSelections(selections)
        if found:
            cur = QTextCursor(self.document())
            cur.setPosition(self._blocks[found[0]][0])
            self.setTextCursor(cur)
            self.ensureCursorVisible()
            self.follow = False
        return found

    def highlighted_ids(self) -> list[str]:
        ids = []
        for sel in self.extraSelections():
            for sid, (start, _end) in self._blocks.items():
                if sel.cursor.selectionStart() == start:
                    ids.append(sid)
        return ids

    # -- auto-scroll -----------------------------------------------------------------------
    def _scrolled(self, value: int) -> None:
        if self._updating:
            return
        bar = self.verticalScrollBar()
        self.follow = value >= bar.maximum() - 4

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        if self.follow and not self._updating:
            self.verticalScrollBar().setValue(maximum)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_End:
            self.follow = True
        super().keyPressEvent(event)


def _marked_runs(seg: TranscriptSegment) -> list[tuple[str, str]]:
    """The segment's text in runs: ("text", "") plain, ("name", "heard:…") a corrected drug name,
    ("words", "live:…") words of the record that the live view showed differently."""
    text = seg.text.strip()
    lead = len(seg.text) - len(seg.text.lstrip())
    marks = [""] * len(text)
    if seg.live_text is not None and seg.live_text.split() != text.split():
        live = seg.live_text.split()
        words: list[tuple[int, int]] = []
        pos = 0
        for w in text.split():
            start = text.index(w, pos)
            words.append((start, start + len(w)))
            pos = start + len(w)
        matcher = difflib.SequenceMatcher(
            a=[t.lower().strip(".,?!") for t in live],
            b=[text[a:b].lower().strip(".,?!") for a, b in words],
            autojunk=False,
        )
        for op, a0, a1, b0, b1 in matcher.get_opcodes():
            if op == "equal" or b0 == b1:
                continue
            shown = " ".join(live[a0:a1]) or "(nothing)"
            for a, b in words[b0:b1]:
                for k in range(a, b):
                    marks[k] = f"live:{shown}"
    for c in seg.corrections:
        for k in range(max(0, c.start - lead), min(len(text), c.end - lead)):
            marks[k] = f"heard:{c.heard}"
    runs: list[tuple[str, str]] = []
    for ch, mark in zip(text, marks, strict=True):
        if runs and runs[-1][1] == mark:
            runs[-1] = (runs[-1][0] + ch, mark)
        else:
            runs.append((ch, mark))
    return runs
