"""An offline drug dictionary: brand names and synonyms resolved to generic names.

Three sources, read once:

* the drug dictionary shipped inside the PyPI package ``drug-named-entity-recognition``
  (MIT; MedlinePlus, NHS, DrugBank and MeSH names with brands and synonyms). Only its
  data file is read — its code loads caches from the home folder and can reach web APIs —
  through an unpickler that refuses every object but plain dicts, lists and strings;
* the clinic's list ``assets/vocabulary/drugs.txt`` (one generic name a line);
* ``assets/vocabulary/drug_synonyms.txt``: ``name: other name, brand, 中文名`` lines that
  merge the dictionary's US headings into the names the clinic writes (paracetamol, not
  acetaminophen) and add the Chinese names heard in Hong Kong consulting rooms.

The dictionary also lists chemicals, foods, allergen extracts and drug classes ("he" is
helium, "more" a pancreatic enzyme brand). Kept are the medicines: entries with a
MedlinePlus or NHS medicines page, and DrugBank entries whose name carries an INN stem
(-pril, -sartan, -coxib …). Variants of three letters or fewer, the package's own stop
words, and single words taken out of a longer name ("alcohol" of "benzyl alcohol") are
left out: they are ordinary words far more often than drug names.
"""

from __future__ import annotations

import ast
import bz2
import functools
import importlib.util
import io
import itertools
import logging
import pickle
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from desktop import paths

log = logging.getLogger(__name__)

PACKAGE = "drug_named_entity_recognition"
DATA_FILE = "drug_ner_dictionary.pkl.bz2"
CLINIC_FILE = "drugs.txt"
SYNONYM_FILE = "drug_synonyms.txt"

# WHO INN stems of common drug classes (and a few British name endings): a word that ends in
# one is very likely a drug even when no dictionary knows it.
DRUG_STEMS = (
    "pril",
    "sartan",
    "olol",
    "alol",
    "statin",
    "formin",
    "cillin",
    "mycin",
    "micin",
    "cycline",
    "azole",
    "prazole",
    "dipine",
    "gliptin",
    "floxacin",
    "oxacin",
    "vir",
    "mab",
    "tinib",
    "parin",
    "xaban",
    "gatran",
    "glitazone",
    "gliflozin",
    "glutide",
    "triptan",
    "setron",
    "tidine",
    "zepam",
    "azepam",
    "zolam",
    "barbital",
    "caine",
    "profen",
    "coxib",
    "oxetine",
    "pramine",
    "triptyline",
    "semide",
    "thiazide",
    "lukast",
    "dronate",
    "sone",
    "olone",
    "asone",
    "terol",
    "tropium",
    "conazole",
    "fungin",
)
_MIN_VARIANT_CHARS = 4
_TOKEN = re.compile(r"[a-z]+|[0-9]+")
_TEXT_TOKEN = re.compile(r"[A-Za-z]+|[0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class DrugMention:
    """A drug named in a text: ``text[start:end] == surface``; ``canonical`` is its generic name."""

    start: int
    end: int
    surface: str
    canonical: str


def spoken_key(phrase: str) -> str:
    """The form names are compared in: lower case, letters and digits split, punctuation gone.

    "Co-Trimoxazole" and "co trimoxazole" agree, and so do "vitamin B12" and "vitamin b 12".
    """
    return " ".join(_TOKEN.findall(phrase.lower()))


def looks_like_drug(word: str) -> bool:
    """A Latin word of six letters or more with a drug stem ("zorbaprazole", "cefdinir")."""
    w = word.lower()
    if len(w) < 6 or not w.isalpha():
        return False
    return w.endswith(DRUG_STEMS) or (w.startswith("cef") and len(w) >= 7)  # cephalosporins: cef-


class DrugLexicon:
    """Generic names, brands and synonyms, and a finder for drugs named in a text."""

    def __init__(
        self,
        variants: Mapping[str, str],
        chinese: Mapping[str, str],
        clinic: Iterable[str] = (),
        clinic_terms: Iterable[str] = (),
    ) -> None:
        self._variants = dict(variants)
        self._clinic_terms = frozenset(clinic_terms)
        self._chinese = dict(chinese)
        self._names = frozenset(self._variants.values()) | frozenset(self._chinese.values())
        self._clinic = frozenset(clinic)
        self._max_tokens = max((k.count(" ") + 1 for k in self._variants), default=1)
        alternatives = sorted(self._chinese, key=len, reverse=True)
        self._chinese_re = re.compile("|".join(re.escape(a) for a in alternatives)) if alternatives else None

    @classmethod
    def default(cls) -> DrugLexicon:
        """The package dictionary plus the clinic's lists in ``assets/vocabulary`` (built once)."""
        return _default_lexicon()

    @classmethod
    def load(cls, extra: Iterable[str] = ()) -> DrugLexicon:
        """The default sources plus ``extra`` drug names (plain names or ``name: synonym, …`` lines)."""
        vocab = paths.assets_dir() / "vocabulary"
        variants = dict(_package_variants())
        chinese: dict[str, str] = {}
        clinic: list[str] = []
        lines = [*_read_lines(vocab / CLINIC_FILE), *(str(e) for e in extra)]
        synonyms = _read_lines(vocab / SYNONYM_FILE)
        for line in lines:
            _add_line(line, variants, chinese, clinic)
        # the synonym lines come last: they rename whole groups to the clinic's name
        for line in synonyms:
            _add_line(line, variants, chinese, clinic, rename=True)
        terms = {spoken_key(t) for line in [*lines, *synonyms] for t in re.split(r"[:,]", line)}
        return cls(variants, chinese, clinic, {t for t in terms if t and t in variants})

    def canonical(self, phrase: str) -> str | None:
        """The generic name of a brand, synonym or generic name (any case); None if not a drug."""
        phrase = phrase.strip()
        if _CJK.search(phrase):
            return self._chinese.get(phrase)
        return self._variants.get(spoken_key(phrase))

    def find(self, text: str) -> list[DrugMention]:
        """Every drug named in ``text`` (English, Chinese or both mixed), longest name first, in order."""
        mentions: list[DrugMention] = []
        tokens = list(_TEXT_TOKEN.finditer(text))
        keys = [t.group(0).lower() for t in tokens]
        i = 0
        while i < len(tokens):
            for n in range(min(self._max_tokens, len(tokens) - i), 0, -1):
                if n > 1 and not _adjacent(text, tokens[i : i + n]):
                    continue
                phrase = " ".join(keys[i : i + n])
                canonical = self._variants.get(phrase)
                if canonical is None and n > 1 and phrase.endswith("s"):
                    canonical = self._variants.get(phrase[:-1])  # "typhoid vaccines", "eye drops"
                if canonical is not None:
                    start, end = tokens[i].start(), tokens[i + n - 1].end()
                    mentions.append(DrugMention(start, end, text[start:end], canonical))
                    i += n - 1
                    break
            i += 1
        if self._chinese_re is not None and _CJK.search(text):
            for m in self._chinese_re.finditer(text):
                mentions.append(DrugMention(m.start(), m.end(), m.group(0), self._chinese[m.group(0)]))
        return sorted(mentions, key=lambda m: m.start)

    def names(self) -> frozenset[str]:
        """The canonical (generic) names."""
        return self._names

    def variants(self) -> Mapping[str, str]:
        """Every Latin-script name in :func:`spoken_key` form → its generic name (brands included)."""
        return self._variants

    def clinic_names(self) -> frozenset[str]:
        """The generic names of the drugs the clinic lists itself (the ones it prescribes)."""
        return self._clinic

    def clinic_terms(self) -> frozenset[str]:
        """Every Latin-script name in the clinic's own lists (brands included), in spoken-key form."""
        return self._clinic_terms


@functools.lru_cache(maxsize=1)
def _default_lexicon() -> DrugLexicon:
    return DrugLexicon.load()


def _adjacent(text: str, tokens: list[re.Match[str]]) -> bool:
    """Tokens of one name: separated by spaces, hyphens, slashes or commas only."""
    for a, b in itertools.pairwise(tokens):
        gap = text[a.end() : b.start()]
        if len(gap) > 3 or not re.fullmatch(r"[ \-/,'’]*", gap):
            return False
    return True


def _read_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


def _add_line(
    line: str, variants: dict[str, str], chinese: dict[str, str], clinic: list[str], rename: bool = False
) -> None:
    head, _, rest = line.partition(":")
    name = head.strip().lower()
    if not name:
        return
    others = [o.strip().lower() for o in rest.split(",") if o.strip()]
    key = spoken_key(name)
    if rename:
        old_groups = {
            variants[k]
            for k in (key, *(spoken_key(o) for o in others if not _CJK.search(o)))
            if k in variants
        }
        for variant, canonical in list(variants.items()):
            if canonical in old_groups:
                variants[variant] = name
        for variant, canonical in list(chinese.items()):
            if canonical in old_groups:
                chinese[variant] = name
        variants[key] = name
    else:
        variants[key] = variants.get(key, name)
    canonical = variants[key]
    if canonical not in clinic:
        clinic.append(canonical)
    for other in others:
        if _CJK.search(other):
            chinese[other] = canonical
        elif spoken_key(other):
            variants[spoken_key(other)] = canonical


class _PlainUnpickler(pickle.Unpickler):
    """Builds only dicts, lists, strings and numbers: a data file cannot run code."""

    def find_class(self, module: str, name: str) -> type:
        raise pickle.UnpicklingError(f"the drug dictionary holds an object ({module}.{name}), not plain data")


def _package_dir() -> Path | None:
    bundled = paths.resource_root() / PACKAGE  # the frozen app carries the data files only
    if (bundled / DATA_FILE).is_file():
        return bundled
    # find_spec on a top-level name locates the package without running its __init__
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@functools.lru_cache(maxsize=1)
def _package_variants() -> dict[str, str]:
    """Spoken key → canonical name for the medicines of the package's dictionary ({} without it)."""
    folder = _package_dir()
    if folder is None or not (folder / DATA_FILE).is_file():
        log.warning("drug dictionary package %s not installed: only the clinic's drug list is used", PACKAGE)
        return {}
    try:
        with bz2.open(folder / DATA_FILE, "rb") as fh:
            data = _PlainUnpickler(io.BytesIO(fh.read())).load()
        to_canonical: dict[str, list[str]] = data["drug_variant_to_canonical"]
        canonical_data: dict[str, dict[str, object]] = data["drug_canonical_to_data"]
    except (OSError, EOFError, KeyError, TypeError, pickle.UnpicklingError) as exc:
        log.warning(
            "drug dictionary of %s unreadable (%s): only the clinic's drug list is used", PACKAGE, exc
        )
        return {}
    stop = _package_stopwords(folder)
    medicines = {c for c, d in canonical_data.items() if _is_medicine(c, d)}
    variants: dict[str, str] = {}
    for variant, canonicals in to_canonical.items():
        chosen = [c for c in canonicals if c in medicines]
        key = spoken_key(variant)
        if not chosen or len(key) < _MIN_VARIANT_CHARS or key in stop or key in variants:
            continue
        canonical = chosen[0]
        if " " not in key and key != spoken_key(canonical) and key in spoken_key(canonical).split():
            continue  # "alcohol" of "benzyl alcohol", "acid" of "folic acid"
        variants[key] = canonical
    log.info("drug dictionary: %d names of %d medicines", len(variants), len(set(variants.values())))
    return variants


def _is_medicine(canonical: str, data: dict[str, object]) -> bool:
    if "medline_plus_id" in data or "nhs_url" in data:
        return True
    last = canonical.split()[-1] if canonical.split() else ""
    return "drugbank_id" in data and looks_like_drug(last)


def _package_stopwords(folder: Path) -> frozenset[str]:
    """The package's stop-word set, read from its source as a literal (its code is never run)."""
    try:
        tree = ast.parse((folder / "util.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return frozenset()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "stopwords" for t in node.targets):
            try:
                return frozenset(str(w).lower() for w in ast.literal_eval(node.value))
            except ValueError:
                return frozenset()
    return frozenset()
