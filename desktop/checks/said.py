"""What the checks read from a consultation: its lines, each line read once, the drugs with their
decisions, and everything said (facts, allergens, findings present and absent)."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.checks.concepts import Mention
from desktop.checks.denied import Denials
from desktop.checks.meds import DrugUse, Med
from desktop.checks.model import Fact
from desktop.checks.text import Piece


@dataclass(frozen=True)
class Line:
    """One line of evidence: a transcript turn, or a line of the patient's own intake account."""

    id: str
    speaker: str
    text: str


@dataclass
class Drug:
    key: str
    surface: str
    lines: list[str] = field(default_factory=list)
    decisions: list[tuple[str, str]] = field(default_factory=list)  # (decision, line id) in order
    doses: set[tuple[float, str]] = field(default_factory=set)
    per_day: set[float] = field(default_factory=set)
    changed_per_day: set[float] = field(default_factory=set)  # how often, as the last change said
    holds: list[str] = field(default_factory=list)  # lines holding it before a procedure
    resumed: bool = False  # stopped for a while, then to be taken again ("停兩晚，之後…食返")

    @property
    def final(self) -> tuple[str, str] | None:
        return self.decisions[-1] if self.decisions else None


@dataclass
class Said:
    """Everything read from the consultation."""

    facts: list[Fact] = field(default_factory=list)
    drugs: dict[str, Drug] = field(default_factory=dict)
    allergens: dict[str, list[str]] = field(default_factory=dict)  # drug key (class expanded) -> lines
    absent: dict[str, list[str]] = field(default_factory=dict)  # finding -> lines saying it is absent
    present: dict[str, list[str]] = field(default_factory=dict)  # finding -> lines saying it is present
    denials: Denials = field(default_factory=Denials)  # denied in words the concept list lacks
    examined: set[str] = field(default_factory=set)  # the doctor's lines that state (not only ask)


@dataclass
class _Read:
    """One line read once: its drugs, concepts and negated ranges."""

    line: Line
    meds: list[Med]
    uses: list[DrugUse]
    mentions: list[Mention]
    negated: list[tuple[int, int]]
    sentences: list[Piece]
