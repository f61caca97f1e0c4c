"""The checks in plain words: for the terminal (``consult-scribe check``) and for ``note.md``."""

from __future__ import annotations

from desktop.checks.model import CheckResult, Flag
from desktop.core.types import markdown_text


def _lines(flag: Flag) -> str:
    return f" (said at {', '.join(flag.lines)})" if flag.lines else ""


def _where(flag: Flag) -> str:
    return f" [in {', '.join(flag.where)}]" if flag.where else ""


def plain_text(result: CheckResult) -> str:
    """One line per flag, contradictions first; a single line when nothing is flagged."""
    if result.clean:
        return f"Checked against {result.facts} facts from the consultation: nothing left out, nothing contradicted.\n"
    out: list[str] = []
    if result.contradictions:
        out.append(
            f"CONTRADICTIONS ({len(result.contradictions)}): the note says otherwise than the consultation"
        )
        out += [f"  ! {f.message}{_lines(f)}{_where(f)}" for f in result.contradictions]
    if result.omissions:
        out.append(f"LEFT OUT ({len(result.omissions)}): said in the consultation, not in the note")
        out += [f"  - {f.message}{_lines(f)}" for f in result.omissions]
    return "\n".join(out) + "\n"


def markdown(result: CheckResult) -> str:
    """A ``## Checks`` section for ``note.md``."""
    out = ["## Checks against the transcript", ""]
    if result.clean:
        out.append("- Nothing left out, nothing contradicted.")
    for f in result.contradictions:
        out.append(f"- **⚠ Contradiction:** {markdown_text(f.message)}{markdown_text(_lines(f))}")
    for f in result.omissions:
        out.append(f"- **Left out:** {markdown_text(f.message)}{markdown_text(_lines(f))}")
    return "\n".join(out) + "\n"
