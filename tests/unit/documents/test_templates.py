"""Templates as data: every shipped kind loads; broken templates are rejected at load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop.documents.templates import (
    KINDS,
    NOTE_KIND,
    TemplateError,
    load_all,
    load_template,
    shipped_templates_dir,
)


def test_twelve_kinds_ship_and_load() -> None:
    templates = load_all()
    assert list(templates) == list(KINDS)
    assert len(KINDS) == 12
    for kind, template in templates.items():
        assert template.path == shipped_templates_dir() / f"{kind}.toml"
        assert template.title["en"] and template.title["zh"]
        assert any(block.type == "signature" for block in template.layout), kind
    assert load_template(NOTE_KIND).kind == NOTE_KIND


def test_prose_fields_have_instructions_and_fallbacks() -> None:
    for template in load_all().values():
        for spec in template.prose_fields():
            assert spec.instruction, (template.kind, spec.name)
            assert spec.fallback, (template.kind, spec.name)


def _clinic_copy(tmp_path: Path, kind: str) -> Path:
    folder = tmp_path / "clinic-templates"
    folder.mkdir(exist_ok=True)
    target = folder / f"{kind}.toml"
    shutil.copy(shipped_templates_dir() / f"{kind}.toml", target)
    return target


def test_clinic_template_overrides_shipped(tmp_path: Path) -> None:
    target = _clinic_copy(tmp_path, "sick_leave")
    target.write_text(
        target.read_text(encoding="utf-8").replace(
            'en = "Medical Certificate"', 'en = "Sick Leave Certificate"'
        ),
        encoding="utf-8",
    )
    template = load_template("sick_leave", target.parent)
    assert template.overridden and template.path == target
    assert template.title["en"] == "Sick Leave Certificate"
    # other kinds still come from the shipped folder
    assert not load_template("referral", target.parent).overridden


def test_unknown_field_in_layout_rejected_at_load(tmp_path: Path) -> None:
    target = _clinic_copy(tmp_path, "referral")
    target.write_text(
        target.read_text(encoding="utf-8").replace("whom I am referring to {specialty}", "to {speciality}"),
        encoding="utf-8",
    )
    with pytest.raises(TemplateError) as err:
        load_template("referral", target.parent)
    assert "unknown field 'speciality'" in err.value.message
    assert str(target) in err.value.message
    with pytest.raises(TemplateError):
        load_all(target.parent)  # the app checks every template at start


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('source = "user"\nrequired = true\ndefault = "note:specialty"', 'source = "fax"', "source 'fax'"),
        ('key = "medications"', 'key = "drugs"', "unknown note key 'drugs'"),
        (
            'type = "section"\nfield = "reason"',
            'type = "section"\nfield = "reason"\ncolour = "red"',
            "colour",
        ),
        ("max_chars = 500", "max_chars = 5", "max_chars"),
        ('kind = "referral"', 'kind = "reply"', "does not match"),
        ('[[layout]]\ntype = "title"', '[[layout]]\ntype = "title"\n[oops', "not valid TOML"),
    ],
)
def test_broken_templates_rejected(tmp_path: Path, old: str, new: str, expected: str) -> None:
    target = _clinic_copy(tmp_path, "referral")
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(TemplateError) as err:
        load_template("referral", target.parent)
    assert expected in err.value.message


def test_unknown_kind_is_a_clear_error() -> None:
    from desktop.core.errors import UserFacingError

    with pytest.raises(UserFacingError) as err:
        load_template("discharge_summary")
    assert "referral" in err.value.hint
