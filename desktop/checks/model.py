"""What the checks find: facts said in the consultation, and flags on the note.

A :class:`Flag` is either an *omission* (something said that the note does not carry) or a
*contradiction* (the note says the opposite of what was said: shown red). Every flag names the
transcript lines it rests on, so the doctor can hear them, and has a stable ``id`` so an
acknowledgement survives a re-check of an edited note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OMISSION = "omission"
CONTRADICTION = "contradiction"

# What a note must carry, in the order the doctor reads them.
FACT_KINDS = (
    "allergy",
    "medication",
    "vital",
    "diagnosis",
    "test",
    "referral",
    "follow_up",
    "safety_net",
)
# Contradiction types.
STOPPED_DRUG = "stopped_drug"  # a drug stopped, held or to avoid, told to the patient to take
ALLERGY_DRUG = "allergy_drug"  # a drug the patient is allergic to (or its class), told to take
DRUG_STOPPED_IN_NOTE = "drug_stopped"  # a drug the consultation continued or started, stopped by the note
NEGATION = "negation"  # a finding said to be absent written as present
DOSE = "dose"
FREQUENCY = "frequency"


@dataclass
class Fact:
    """Something said in the consultation that the note should carry."""

    kind: str
    key: str
    label: str
    lines: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    def add_line(self, line_id: str) -> None:
        if line_id not in self.lines:
            self.lines.append(line_id)


@dataclass
class Flag:
    kind: str  # OMISSION or CONTRADICTION
    type: str  # a fact kind for an omission; a contradiction type
    id: str
    message: str
    lines: list[str] = field(default_factory=list)  # transcript line ids it rests on
    where: list[str] = field(default_factory=list)  # "plan[0]", "letter:referral"

    @property
    def red(self) -> bool:
        return self.kind == CONTRADICTION

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "message": self.message,
            "lines": list(self.lines),
            "where": list(self.where),
        }

    @classmethod
    def from_dict(cls, kind: str, data: dict[str, Any]) -> Flag:
        return cls(
            kind=kind,
            type=str(data.get("type", "")),
            id=str(data.get("id", "")),
            message=str(data.get("message", "")),
            lines=[str(x) for x in data.get("lines", [])],
            where=[str(x) for x in data.get("where", [])],
        )


@dataclass
class CheckResult:
    omissions: list[Flag] = field(default_factory=list)
    contradictions: list[Flag] = field(default_factory=list)
    facts: int = 0  # how many facts the consultation held

    @property
    def flags(self) -> list[Flag]:
        return [*self.contradictions, *self.omissions]

    @property
    def clean(self) -> bool:
        return not self.omissions and not self.contradictions

    def to_dict(self) -> dict[str, Any]:
        return {
            "facts": self.facts,
            "omissions": [f.to_dict() for f in self.omissions],
            "contradictions": [f.to_dict() for f in self.contradictions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return cls(
            omissions=[Flag.from_dict(OMISSION, d) for d in data.get("omissions", []) or []],
            contradictions=[Flag.from_dict(CONTRADICTION, d) for d in data.get("contradictions", []) or []],
            facts=int(data.get("facts", 0) or 0),
        )
