"""`consult-scribe listen`: live transcription in the terminal.

From the microphone (or ``--input FILE`` replayed at real-time pace, ending with the file):
tentative words appear dimmed and are replaced as recognition settles; final text is printed
normally and never changes. Ctrl-C stops recording; everything captured up to then is still
recognised before the command ends (a second Ctrl-C abandons the recognition that is left).
``--out DIR`` writes ``transcript.json`` and ``transcript.txt`` in the format of ``process``.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from desktop.config import LANGUAGES, SCRIPTS

DIM = "\x1b[2m"
RESET = "\x1b[0m"
CLEAR_LINE = "\r\x1b[K"


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "listen",
        help="live transcript from the microphone (or a file replayed in real time)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--input", type=Path, default=None, metavar="FILE", help="replay FILE instead of the microphone"
    )
    parser.add_argument("--fast", action="store_true", help="with --input: replay as fast as possible")
    parser.add_argument(
        "--mic", default=None, metavar="NAME|NUMBER", help="microphone (default: settings or system)"
    )
    parser.add_argument("--list-devices", action="store_true", help="list the microphones and exit")
    parser.add_argument("--language", choices=LANGUAGES, default=None)
    parser.add_argument("--script", choices=SCRIPTS, default=None, help="Chinese script (default: hk)")
    parser.add_argument(
        "--out", type=Path, default=None, metavar="DIR", help="write transcript.json/.txt here"
    )
    parser.add_argument("--model", default=None, metavar="NAME", help="speech model (default: settings)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default=None, help="compute device")
    parser.add_argument("--compute-type", default=None, metavar="TYPE")
    parser.add_argument("--threads", type=int, default=None, metavar="N")
    parser.add_argument(
        "--stats", action="store_true", help="print the session statistics as JSON at the end"
    )
    parser.set_defaults(handler=run)


class TerminalView:
    """Final text as plain lines; the tentative tail dimmed on the line below, rewritten in place."""

    def __init__(self, out: TextIO, tty: bool) -> None:
        self.out = out
        self.tty = tty
        self._tentative = ""
        self._lock = threading.Lock()
        self.warned = False

    def __call__(self, event: Any) -> None:
        from desktop.asr.streaming.recognizer import FinalEvent, LoadEvent, TentativeEvent

        with self._lock:
            if isinstance(event, FinalEvent):
                seg = event.segment
                self._clear()
                self.out.write(f"[{_clock(seg.start)}] {seg.text}\n")
                self._redraw()
            elif isinstance(event, TentativeEvent):
                self._tentative = event.text
                if self.tty:
                    self._clear()
                    self._redraw()
            elif isinstance(event, LoadEvent) and event.overloaded and not self.warned:
                self.warned = True
                self._clear()
                sys.stderr.write(
                    f"consult-scribe: recognition is falling behind (duty cycle {event.duty_cycle:.2f}); "
                    "switching to a faster, less accurate mode. Close other programs or use a GPU.\n"
                )
                self._redraw()
            self.out.flush()

    def _clear(self) -> None:
        if self.tty:
            self.out.write(CLEAR_LINE)

    def _redraw(self) -> None:
        if self.tty and self._tentative:
            width = 200
            self.out.write(f"{DIM}… {self._tentative[-width:]}{RESET}")

    def close(self) -> None:
        with self._lock:
            self._clear()
            self.out.flush()


def _clock(seconds: float) -> str:
    total = int(seconds)
    return f"{total // 60:02d}:{total % 60:02d}"


def _open_source(args: argparse.Namespace, settings: Any) -> Any:
    """The recording to replay, or the microphone (a missing one is a UsageError, said now)."""
    from desktop.audio.capture import MicrophoneSource, find_input_device, load_sounddevice
    from desktop.audio.sources import FileSource
    from desktop.core.errors import UsageError

    if args.input is not None:
        if not args.input.is_file():
            raise UsageError(f"The recording {args.input} does not exist.", "Check the path.")
        return FileSource(args.input, realtime=not args.fast)
    if args.fast:
        raise UsageError("--fast only applies to --input FILE.")
    sd = load_sounddevice()
    wanted = args.mic or settings.audio.input_device or None
    find_input_device(sd, wanted)  # no microphone, or an unknown name: say so now
    return MicrophoneSource(sd, wanted)


def run(args: argparse.Namespace) -> int:
    from desktop.audio.capture import list_input_devices, load_sounddevice

    if args.list_devices:
        devices = list_input_devices(load_sounddevice())
        for d in devices:
            print(d.label())
        if not devices:
            print("No microphone found.")
        return 0

    from desktop.asr.factory import whisper_engine
    from desktop.asr.streaming.recognizer import (
        StreamingOptions,
        StreamingRecognizer,
    )
    from desktop.asr.streaming.session import SessionResult, run_live
    from desktop.asr.vocabulary import load_vocabulary
    from desktop.config import load_settings
    from desktop.core.errors import AudioError, UsageError

    settings = load_settings()
    language = args.language or settings.asr.language
    script = args.script or settings.asr.script
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"The output {args.out} exists and is not a folder.")
    # Open the audio first: a missing file or microphone fails before the model loads.
    source = _open_source(args, settings)
    engine = whisper_engine(
        settings.asr,
        model=args.model,
        device=args.device,
        compute_type=args.compute_type,
        threads=args.threads,
    )
    vocab_file = Path(settings.asr.vocabulary_file) if settings.asr.vocabulary_file else None
    options = StreamingOptions(language=language, script=script, vocabulary=load_vocabulary(vocab_file))
    view = TerminalView(sys.stdout, sys.stdout.isatty())
    recognizer = StreamingRecognizer(engine, options)
    if recognizer.stats.language_note:
        print(f"consult-scribe: {recognizer.stats.language_note}", file=sys.stderr)

    stop = threading.Event()
    # Ctrl-C, a service manager's SIGTERM and a closed terminal's SIGHUP all stop the same way:
    # the audio already captured is recognised and the transcript written.
    stop_signals = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {sig: signal.getsignal(sig) for sig in stop_signals}

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            raise KeyboardInterrupt
        stop.set()
        print("\nconsult-scribe: stopping; finishing the transcript…", file=sys.stderr)

    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        for sig in stop_signals:
            signal.signal(sig, on_interrupt)
    on_event: Any = view
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        on_event = LiveAutosave(args.out, language, view)
    what = args.input.name if args.input is not None else "the microphone"
    print(f"Listening to {what} ({language}, script {script}). Press Ctrl-C to stop.", file=sys.stderr)
    error: AudioError | None = None
    from desktop.asr.drug_names import corrector_for
    from desktop.asr.streaming.record import RecordPass

    corrector = corrector_for(engine.model_path)
    recognizer.corrector = corrector  # the live final lines too
    record = RecordPass(
        engine,
        language=language,
        script=script,
        vocabulary=options.vocabulary,
        corrector=corrector,
        background=not args.fast,
    )
    try:
        result: SessionResult = run_live(source, recognizer, stop=stop, on_event=on_event, record=record)
    except AudioError as exc:
        partial = getattr(exc, "session_result", None)
        if partial is None:  # the microphone could not be opened: nothing was recorded
            raise
        error = exc
        result = partial
    finally:
        view.close()
        if in_main:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    _save_and_report(args, result, language)
    if error is not None:
        raise error
    return 0


def _save_and_report(args: argparse.Namespace, result: Any, language: str) -> None:
    """Write the record (every stretch decoded again after the live pass) and say what happened."""
    from desktop.asr.streaming.recognizer import transcript_from_segments
    from desktop.core.types import Transcript

    segments = result.record or transcript_from_segments(result.segments, result.language)
    transcript = Transcript(language=result.language or language, segments=segments)
    if args.out is not None:
        write_transcript(args.out, transcript)
    summary = result.to_dict()
    print(
        f"consult-scribe: {summary['audio_seconds']:.1f} s captured, {result.processed_samples} of "
        f"{result.captured_samples} samples recognised ({result.lost_samples} lost), "
        f"{len(segments)} utterances, duty cycle {result.streaming.duty_cycle:.2f}, "
        f"record complete {result.record_stats.get('finish_seconds', 0.0):.1f} s after Stop"
        + (f", {result.capture.overflows} overflow(s)" if result.capture.overflows else "")
        + (f"; wrote {args.out}" if args.out is not None else ""),
        file=sys.stderr,
    )
    if args.stats:
        print(json.dumps(summary, indent=2, ensure_ascii=False))


def write_transcript(folder: Path, transcript: Any) -> None:
    from desktop.storage.keyfile import atomic_write

    text = json.dumps(transcript.to_dict(), indent=2, ensure_ascii=False) + "\n"
    atomic_write(folder / "transcript.json", text.encode("utf-8"))
    atomic_write(folder / "transcript.txt", transcript.to_plain_text().encode("utf-8"))


class LiveAutosave:
    """Writes the transcript after every final utterance, so a killed session keeps what was final."""

    def __init__(self, folder: Path, language: str, inner: Any) -> None:
        self.folder = folder
        self.language = language
        self.inner = inner
        self.finals: list[Any] = []

    def __call__(self, event: Any) -> None:
        from desktop.asr.streaming.recognizer import FinalEvent, transcript_from_segments
        from desktop.core.types import Transcript

        self.inner(event)
        if isinstance(event, FinalEvent):
            self.finals.append(event.segment)
            segments = transcript_from_segments(self.finals, self.language)
            write_transcript(self.folder, Transcript(language=self.language, segments=segments))
