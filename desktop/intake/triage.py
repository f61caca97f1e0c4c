"""Triage of a patient's own account: Category 1 critical, 2 urgent, 3 non-urgent.

Explicit red-flag rules come first, in English, Traditional Chinese (with written Cantonese)
and Simplified Chinese; Simplified text is converted to Traditional before matching, so each
Chinese pattern is written once. A language model may be asked second, only when no rule
fired: the rules always win, and every result carries the reason staff see.

A rule fires when each of its groups matches somewhere in the text and that match is not
negated in its own clause ("no chest pain", "冇心口痛", "没有想过伤害自己").
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CRITICAL, URGENT, NON_URGENT = 1, 2, 3
CATEGORY_NAMES = {1: "Category 1 critical", 2: "Category 2 urgent", 3: "Category 3 non-urgent"}
CATEGORY_NAMES_ZH = {1: "第一類 危急", 2: "第二類 緊急", 3: "第三類 非緊急"}
VIGNETTES = Path(__file__).resolve().parent / "vignettes"

# Clause boundaries: negation reaches no further than these (a full stop, not a decimal point).
_CLAUSE = re.compile(r"[,，。;；:：!！?？\n、]|\.(?!\d)|\bbut\b|但係|但是|不過")
_NEG_EN = re.compile(
    r"\b(no|not|never|denies|deny|denied|without|nor|none|don't have|do not have|haven't had)\b"
    r"(\s+[\w']+){0,3}\s*$",
    re.IGNORECASE,
)
_NEG_ZH = re.compile(r"(冇|無|沒有|沒|並無|否認|未有|唔係|不是)(諗過|想過|過|任何|有|感到|覺得)?\s*$")


@dataclass(frozen=True)
class Rule:
    id: str
    category: int
    reason_en: str
    reason_zh: str
    groups: tuple[re.Pattern[str], ...]


def _rule(rule_id: str, category: int, en: str, zh: str, *groups: str) -> Rule:
    return Rule(rule_id, category, en, zh, tuple(re.compile(g, re.IGNORECASE) for g in groups))


_CHEST = (
    r"chest.{0,20}(pain|pressure|tight|heavy|hurt|ache|squeez)|(pain|pressure|tight|heavy|crushing|squeezing).{0,30}chest"
    r"|心口.{0,3}(痛|翳|壓)|胸.{0,2}(痛|壓|悶|劇痛)|胸痛"
)
_BREATH = (
    r"(can't|cannot|can not|couldn't) (catch|get) (my|his|her) breath|short of breath|shortness of breath"
    r"|breathless|hard to breathe|difficulty breathing|trouble breathing|struggling to breathe"
    r"|breathing.{0,15}(hard|difficult|laboured|labored)|(can't|cannot) breathe"
    r"|唞唔到氣|透唔到氣|喘不過氣|喘不上氣|呼吸困難|難呼吸|氣促|氣短|上氣不接下氣|唞氣困難"
)
_SEVERE_BREATH = (
    r"struggling to breathe|can only say a few words|(can't|cannot|couldn't) (finish|complete) (a )?sentence"
    r"|(lips|face).{0,12}(blue|grey|gray)|gasping"
    r"|(嘴唇|口唇).{0,3}(發紫|紫|發藍|藍)|講嘢都好辛苦|說話都很困難|說話都好辛苦|講唔到嘢"
)
_AT_REST = (
    r"at rest|sitting|resting|lying|even (when )?(sitting|still)|still|doing nothing"
    r"|坐定定|靜坐|休息|坐着|坐著|瞓|躺|唔郁|不動"
)

RULES: tuple[Rule, ...] = (
    _rule(
        "chest_pain_sweating",
        CRITICAL,
        "chest pain with sweating or spreading to the arm or jaw",
        "胸口痛伴隨出汗或痛到手臂、下巴",
        _CHEST,
        r"sweat|clammy|drenched|(arm|jaw|shoulder)|汗|手臂|左手|下巴|膊頭",
    ),
    _rule(
        "chest_pain_breathless",
        CRITICAL,
        "chest pain with breathlessness",
        "胸口痛伴隨氣促",
        _CHEST,
        _BREATH,
    ),
    _rule(
        "breathless_at_rest",
        CRITICAL,
        "breathless at rest",
        "休息時呼吸困難",
        _BREATH,
        _AT_REST,
    ),
    _rule("breathless_severe", CRITICAL, "severe breathing difficulty", "嚴重呼吸困難", _SEVERE_BREATH),
    _rule(
        "stroke_face",
        CRITICAL,
        "stroke sign: face drooping",
        "中風徵狀：面部歪斜",
        r"face.{0,25}droop|droop.{0,20}face|facial droop|(mouth|face).{0,15}(lopsided|twisted)"
        r"|(半邊|一邊|一側)(面|臉).{0,3}(歪|垂|跌)|面歪|口角歪|嘴角歪|口歪|面.{0,3}歪咗",
    ),
    _rule(
        "stroke_speech",
        CRITICAL,
        "stroke sign: slurred or lost speech",
        "中風徵狀：說話不清",
        r"slurred|speech is (slurred|garbled)|(can't|cannot) (speak|talk|get words out)|trouble speaking"
        r"|口齒不清|口齒唔清|說話含糊|講嘢唔清|講嘢含糊|講唔到嘢|說不出話",
    ),
    _rule(
        "stroke_weakness",
        CRITICAL,
        "stroke sign: sudden one-sided weakness or numbness",
        "中風徵狀：突然一邊手腳無力或麻痺",
        r"(sudden|suddenly).{0,20}(weak|numb)|(weakness|numbness) in (my|his|her|the) (left|right)"
        r"|(can't|cannot|couldn't) (lift|raise|move) (my|his|her|the) (left |right )?(arm|leg)"
        r"|(one|left|right) side.{0,20}(weak|numb)|(weak|numb).{0,20}(one|left|right) side"
        r"|(半邊|一邊|一側|左邊|右邊|左|右)(手|腳|手腳|肢體|身|邊身).{0,5}(無力|冇力|(無|冇)(晒|曬)力|沒力|麻痺|麻木|舉唔起|郁唔到)"
        r"|手舉唔起|手舉不起",
    ),
    _rule(
        "severe_bleeding",
        CRITICAL,
        "severe bleeding",
        "嚴重出血",
        r"(won't|will not|doesn't|does not|can't) stop bleeding|(bleed|blood).{0,30}(won't|will not|doesn't|does not) stop"
        r"|heavy bleeding|bleeding heavily|bleeding a lot|soak(ing|ed)? through|a lot of blood|lots of blood"
        r"|(vomit|vomited|vomiting|throwing up|threw up|coughing up|coughed up) (up )?blood"
        r"|大量出血|大出血|止唔到血|止唔住血|(血|出血).{0,6}(止不住|止唔住)|流血(流)?(唔停|不止|不停)"
        r"|出血(很多|好多|不止)|(嘔|吐)(咗|了)?血|咳血",
    ),
    _rule(
        "anaphylaxis_airway",
        CRITICAL,
        "allergic reaction: throat or tongue swelling or tightness",
        "過敏反應：喉嚨或舌頭腫脹、收緊",
        r"(throat|tongue).{0,20}(tight|swell|swollen|closing)|(swollen|swelling) (lips|tongue|throat)"
        r"|(喉嚨|喉|舌頭|舌).{0,4}(腫|緊|發緊|收窄)",
    ),
    _rule(
        "anaphylaxis_breathing",
        CRITICAL,
        "allergic reaction with breathing difficulty",
        "過敏反應伴隨呼吸困難",
        r"hives|swollen (lips|face)|(lips|face).{0,15}(swell|swollen)|rash all over|風癩|風團|蕁麻疹|(嘴唇|面|臉).{0,4}腫",
        _BREATH + r"|wheez",
    ),
    _rule(
        "suicidal",
        CRITICAL,
        "thoughts of suicide or self-harm",
        "有自殺或傷害自己的念頭",
        r"kill(ed|ing)? (myself|himself|herself)|end(ing)? (my|his|her) (own )?life|suicid|take (my|his|her) (own )?life"
        r"|(don't|do not) want to (live|be alive|go on)|want to die|(harm|harming|hurt|hurting) (myself|himself|herself)"
        r"|自殺|輕生|想死|唔想再?(生存|活)|不想(再)?活|結束(自己的)?生命|傷害自己|活(着|著)(都)?沒(有)?意思|了結自己",
    ),
    _rule(
        "unresponsive_or_seizure",
        CRITICAL,
        "seizure, collapse or not responding",
        "抽搐、暈倒或叫唔醒",
        r"seizure|fitting|convuls|unconscious|not responding|unresponsive|passed out|collapsed|won't wake"
        r"|抽搐|叫唔醒|叫不醒|昏迷|失去知覺|暈低|暈倒|不省人事|羊癇|癲癇發作",
    ),
    # ---- Category 2
    _rule(
        "high_fever",
        URGENT,
        "high fever (39 °C or more)",
        "高燒（攝氏39度或以上）",
        r"(fever|temperature|temp)\D{0,20}(39|40|41)(\.\d)?|(39|40|41)(\.\d)? ?(°|degrees|c\b)"
        r"|(三十九|四十|39|40|41)(\.\d)?(度|點)|高燒|發高燒|高熱",
    ),
    _rule(
        "severe_pain",
        URGENT,
        "severe pain (7/10 or more)",
        "劇烈痛楚（十分之七或以上）",
        r"\b([7-9]|10) ?(/|out of) ?10\b|severe (pain|headache|tummy|abdominal|stomach)|worst (pain|headache)"
        r"|bad (tummy|stomach|belly|abdominal) pain|excruciating|agony"
        r"|(痛|疼).{0,10}(七|八|九|十|7|8|9|10) ?分|(十分|10分)有(七|八|九|十)分|劇痛|痛得(好)?(犀利|厲害|很厲害)"
        r"|疼得(很)?厲害|痛到(好犀利|受唔住|受不了)",
    ),
    _rule(
        "persistent_vomiting",
        URGENT,
        "vomiting, cannot keep fluids down",
        "持續嘔吐，飲水都嘔",
        r"(vomit|throwing up|being sick).{0,40}(all day|can't keep|cannot keep|keep.{0,12}down)"
        r"|(can't|cannot) keep (water|fluids|anything|food) down|keep (throwing up|vomiting)"
        r"|(嘔|吐).{0,8}(飲水|喝水|食唔落|吃不下)|(飲水|喝水|食嘢|吃東西).{0,4}(都|也)(嘔|吐)|一直(嘔|吐)|成日嘔|不停(嘔|吐)",
    ),
    _rule(
        "urinary_infection_fever",
        URGENT,
        "urinary symptoms with fever or back pain",
        "小便痛伴隨發燒或腰痛",
        r"(burning|pain|painful|sting|stinging).{0,15}(pee|urinat|wee)|(pee|urine|urinating).{0,12}(burn|pain|sting)"
        r"|blood in (my |the )?urine|小便.{0,6}痛|尿痛|血尿|尿頻",
        r"fever|temperature|chills|back|flank|發燒|發熱|燒|腰痛|腰",
    ),
    _rule(
        "asthma_worse",
        URGENT,
        "asthma or wheeze getting worse",
        "哮喘或氣喘加重",
        r"wheez|asthma.{0,25}(worse|attack|flare|bad)|哮喘.{0,3}(發作|加重|加劇|差咗)|氣喘|喘鳴",
    ),
    _rule(
        "injury_fracture",
        URGENT,
        "injury with deformity or cannot bear weight",
        "受傷後變形或不能承重",
        r"(bent|deformed|out of shape)|(can't|cannot|unable to) (walk|put weight|bear weight|move it)"
        r"|(wrist|ankle|arm|leg|knee|foot).{0,30}(swollen|swelling).{0,30}(pain|walk)"
        r"|行唔到路|行唔到|不能走路|走不了路|不能行|變形|(腫|腫到|腫得).{0,6}(好大|很厲害|好犀利)",
    ),
)


@dataclass(frozen=True)
class TriageResult:
    category: int
    source: str  # "rules", "model", or "default" (nothing matched, no model)
    reasons: tuple[str, ...]  # English reasons, one per rule that fired at this category
    reasons_zh: tuple[str, ...] = ()
    rule_ids: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "source": self.source,
            "reasons": list(self.reasons),
            "reasons_zh": list(self.reasons_zh),
            "rules": list(self.rule_ids),
        }


ModelFn = Callable[[str], "tuple[int, str] | None"]


@functools.lru_cache(maxsize=1)
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def normalise(text: str) -> str:
    """Lower case, Simplified Chinese to Traditional, full-width digits to ASCII.

    The conversion also rewrites a few Cantonese characters (晒 becomes 曬): patterns accept both.
    """
    text = text.replace("\u2019", "'").replace("\u00a0", " ")
    text = "".join(chr(ord(c) - 0xFEE0) if "\uff10" <= c <= "\uff19" else c for c in text)
    if re.search(r"[\u4e00-\u9fff]", text):
        text = str(_s2t().convert(text))
    return text.lower()


def _negated(text: str, start: int) -> bool:
    bounds = [m.end() for m in _CLAUSE.finditer(text, 0, start)]
    prefix = text[bounds[-1] if bounds else 0 : start]
    return bool(_NEG_EN.search(prefix) or _NEG_ZH.search(prefix))


def _group_matches(pattern: re.Pattern[str], text: str) -> bool:
    return any(not _negated(text, m.start()) for m in pattern.finditer(text))


def fired_rules(text: str) -> list[Rule]:
    norm = normalise(text)
    return [r for r in RULES if all(_group_matches(g, norm) for g in r.groups)]


def triage(text: str, model: ModelFn | None = None) -> TriageResult:
    """The category of a patient's account. Rules first; the model only when no rule fired."""
    fired = fired_rules(text)
    if fired:
        top = min(r.category for r in fired)
        chosen = [r for r in fired if r.category == top]
        return TriageResult(
            top,
            "rules",
            tuple(r.reason_en for r in chosen),
            tuple(r.reason_zh for r in chosen),
            tuple(r.id for r in chosen),
        )
    if model is not None:
        try:
            answer = model(text)
        except Exception:  # a model failure never blocks triage: staff see the default
            answer = None
        if answer is not None and answer[0] in (1, 2, 3):
            return TriageResult(answer[0], "model", (f"language model: {answer[1][:200]}",))
    return TriageResult(NON_URGENT, "default", ("no red flag found",), ("未發現危險徵狀",))


# ---------------------------------------------------------------- the model, second
TRIAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "category": {"type": "integer", "enum": [1, 2, 3]},
        "reason": {"type": "string", "maxLength": 160},
    },
    "required": ["category", "reason"],
}

_TRIAGE_PROMPT = (
    "You triage patients in a clinic waiting room. Category 1: critical, needs a doctor now. "
    "Category 2: urgent, should be seen soon. Category 3: non-urgent. Answer with JSON: the category and "
    "a short reason."
)


def model_triage(runtime: Any, max_tokens: int = 60) -> ModelFn:
    """A ModelFn backed by a loaded LlamaRuntime (JSON-constrained answer)."""

    def ask(text: str) -> tuple[int, str] | None:
        reply = runtime.chat(
            [{"role": "system", "content": _TRIAGE_PROMPT}, {"role": "user", "content": text[:2000]}],
            schema=TRIAGE_SCHEMA,
            max_tokens=max_tokens,
            temperature=0.0,
        )
        try:
            data = json.loads(reply)
            return int(data["category"]), str(data.get("reason", ""))
        except (ValueError, KeyError, TypeError):
            return None

    return ask


# ---------------------------------------------------------------- evaluation
@dataclass
class EvalReport:
    set_name: str
    total: int
    confusion: dict[int, dict[int, int]] = field(default_factory=dict)  # expected -> predicted -> n
    misses: list[dict[str, Any]] = field(default_factory=list)
    by_language: dict[str, dict[str, float]] = field(default_factory=dict)

    def recall(self, category: int) -> float:
        row = self.confusion.get(category, {})
        n = sum(row.values())
        return row.get(category, 0) / n if n else 0.0

    def precision(self, category: int) -> float:
        n = sum(row.get(category, 0) for row in self.confusion.values())
        return self.confusion.get(category, {}).get(category, 0) / n if n else 0.0

    @property
    def accuracy(self) -> float:
        right = sum(self.confusion.get(c, {}).get(c, 0) for c in (1, 2, 3))
        return right / self.total if self.total else 0.0

    @property
    def under_triaged(self) -> int:
        return sum(n for e, row in self.confusion.items() for p, n in row.items() if p > e)

    def to_dict(self) -> dict[str, Any]:
        return {
            "set": self.set_name,
            "vignettes": self.total,
            "accuracy": round(self.accuracy, 4),
            "recall": {str(c): round(self.recall(c), 4) for c in (1, 2, 3)},
            "precision": {str(c): round(self.precision(c), 4) for c in (1, 2, 3)},
            "under_triaged": self.under_triaged,
            "confusion": {str(e): {str(p): n for p, n in row.items()} for e, row in self.confusion.items()},
            "by_language": self.by_language,
            "misses": self.misses,
        }


def load_vignettes(set_name: str) -> list[dict[str, Any]]:
    path = VIGNETTES / f"{set_name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data["vignettes"])


def evaluate(set_name: str, model: ModelFn | None = None) -> EvalReport:
    vignettes = load_vignettes(set_name)
    report = EvalReport(set_name, len(vignettes))
    per_lang: dict[str, list[int]] = {}
    for v in vignettes:
        expected = int(v["category"])
        result = triage(str(v["text"]), model)
        row = report.confusion.setdefault(expected, {})
        row[result.category] = row.get(result.category, 0) + 1
        counts = per_lang.setdefault(str(v["lang"]), [0, 0, 0, 0])  # right, total, cat1 found, cat1 total
        counts[0] += int(result.category == expected)
        counts[1] += 1
        if expected == CRITICAL:
            counts[2] += int(result.category == CRITICAL)
            counts[3] += 1
        if result.category != expected:
            report.misses.append(
                {"id": v["id"], "expected": expected, "got": result.category, "rules": list(result.rule_ids)}
            )
    report.by_language = {
        lang: {
            "accuracy": round(c[0] / c[1], 4),
            "category1_recall": round(c[2] / c[3], 4) if c[3] else 0.0,
            "vignettes": c[1],
        }
        for lang, c in per_lang.items()
    }
    return report


# ---------------------------------------------------------------- a whole intake
_YES = re.compile(r"^\s*(yes|yeah|yep|y\b|有|係|是|对|對|有的|有啊|有呀)", re.IGNORECASE)


def triage_answers(answers: dict[str, str], model: ModelFn | None = None) -> TriageResult:
    """Triage of an intake's answers. A "yes" to the warning-signs question is Category 1 on its own."""
    text = "\n".join(v for k, v in answers.items() if k != "red_flags")
    flags = answers.get("red_flags", "")
    result = triage("\n".join(x for x in (text, flags) if x), model)
    if result.category != CRITICAL and flags and _YES.match(normalise(flags)):
        return TriageResult(
            CRITICAL,
            "rules",
            ("the patient answered yes to the warning-signs question",),
            ("病人表示有危險徵狀",),
            ("warning_sign_reported",),
        )
    return result
