"""The intake question plan and the patient's summary, in English, Traditional and Simplified Chinese.

The plan is fixed and rule-based: the opening question (what brings you in), then follow-ups
for onset and duration, severity, associated symptoms, medicines, allergies, history and red
flags, with at most one extra question chosen from what the patient said (a rash: anything
new they touched; a fever: the highest temperature). Never more than ``MAX_FOLLOW_UPS``.
A language model may rephrase the summary; the service works without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LANGS = ("zh-Hant", "en", "zh-Hans")
LANG_NAMES = {"zh-Hant": "繁體中文／廣東話", "en": "English", "zh-Hans": "简体中文"}
MAX_FOLLOW_UPS = 8
MAX_ANSWER_CHARS = 2000


@dataclass(frozen=True)
class Question:
    key: str
    label: dict[str, str]  # the summary's line heading
    text: dict[str, str]


def _q(key: str, label: tuple[str, str, str], text: tuple[str, str, str]) -> Question:
    return Question(key, dict(zip(LANGS, label, strict=True)), dict(zip(LANGS, text, strict=True)))


OPENING = _q(
    "complaint",
    ("主要問題", "Main problem", "主要问题"),
    (
        "您好！請問今天有甚麼不舒服，想見醫生？",
        "Hello! What is the main problem you would like to see the doctor about today?",
        "您好！请问今天哪里不舒服，想看医生？",
    ),
)

FOLLOW_UPS: tuple[Question, ...] = (
    _q(
        "onset",
        ("開始及持續時間", "Started / how long", "开始及持续时间"),
        (
            "這個情況是甚麼時候開始的？持續了多久？",
            "When did it start, and how long has it lasted?",
            "这个情况是什么时候开始的？持续了多久？",
        ),
    ),
    _q(
        "severity",
        ("嚴重程度", "How bad", "严重程度"),
        (
            "由0到10分，10分最嚴重，您會給幾多分？情況是變好還是變差？",
            "From 0 to 10, where 10 is the worst, how bad is it? Is it getting better or worse?",
            "从0到10分，10分最严重，您会打几分？情况是变好还是变差？",
        ),
    ),
    _q(
        "associated",
        ("其他徵狀", "Other symptoms", "其他症状"),
        (
            "還有其他徵狀嗎？例如發燒、嘔吐、頭暈或痛楚？",
            "Do you have any other symptoms, such as fever, vomiting, dizziness or pain?",
            "还有其他症状吗？例如发烧、呕吐、头晕或疼痛？",
        ),
    ),
    _q(
        "medicines",
        ("正在服用的藥物", "Medicines", "正在服用的药物"),
        (
            "您現在有服用任何藥物嗎（包括中藥及保健品）？",
            "Are you taking any medicines now (including herbal medicines and supplements)?",
            "您现在有服用任何药物吗（包括中药及保健品）？",
        ),
    ),
    _q(
        "allergies",
        ("過敏", "Allergies", "过敏"),
        (
            "您對任何藥物或食物過敏嗎？",
            "Are you allergic to any medicines or foods?",
            "您对任何药物或食物过敏吗？",
        ),
    ),
    _q(
        "history",
        ("病歷", "Medical history", "病史"),
        (
            "您有長期病患或做過手術嗎？例如高血壓、糖尿病、哮喘？",
            "Do you have any long-term illnesses or past operations, such as high blood pressure, diabetes or asthma?",
            "您有慢性病或做过手术吗？例如高血压、糖尿病、哮喘？",
        ),
    ),
    _q(
        "red_flags",
        ("危險徵狀", "Warning signs", "危险症状"),
        (
            "您現在有沒有以下情況：胸口痛、呼吸困難、一邊手腳無力、大量出血，或有傷害自己的念頭？",
            "Do you have any of these now: chest pain, difficulty breathing, weakness on one side, heavy bleeding, "
            "or thoughts of harming yourself?",
            "您现在有没有以下情况：胸痛、呼吸困难、一侧手脚无力、大量出血，或有伤害自己的念头？",
        ),
    ),
)

# One extra follow-up, chosen from the main problem; asked right after it.
CONTEXTUAL: tuple[tuple[re.Pattern[str], Question], ...] = (
    (
        re.compile(r"rash|itch|hives|spots|皮疹|出疹|紅疹|红疹|痕|痒|癢|風癩", re.IGNORECASE),
        _q(
            "exposure",
            ("接觸", "Exposure", "接触"),
            (
                "您是否有接觸新的環境或物品，例如新的護膚品、清潔用品、食物或寵物？",
                "Have you been in contact with anything new, such as a new skin product, cleaning product, food or pet?",
                "您是否有接触新的环境或物品，例如新的护肤品、清洁用品、食物或宠物？",
            ),
        ),
    ),
    (
        re.compile(r"fever|temperature|發燒|发烧|發熱|发热", re.IGNORECASE),
        _q(
            "temperature",
            ("最高體溫", "Highest temperature", "最高体温"),
            (
                "您量過的最高體溫是多少度？",
                "What is the highest temperature you have measured?",
                "您量过的最高体温是多少度？",
            ),
        ),
    ),
    (
        re.compile(r"pain|ache|hurt|痛|疼", re.IGNORECASE),
        _q(
            "pain_site",
            ("痛的位置", "Where it hurts", "疼痛位置"),
            (
                "痛在哪個位置？會不會痛到其他地方？",
                "Where exactly is the pain? Does it spread anywhere?",
                "疼在哪个位置？会不会疼到其他地方？",
            ),
        ),
    ),
    (
        re.compile(r"cough|咳", re.IGNORECASE),
        _q(
            "sputum",
            ("痰", "Phlegm", "痰"),
            (
                "咳嗽有沒有痰？痰是甚麼顏色，有沒有血？",
                "Are you coughing anything up? What colour is it, is there blood?",
                "咳嗽有没有痰？痰是什么颜色，有没有血？",
            ),
        ),
    ),
)

TEXT: dict[str, dict[str, str]] = {
    "title": {"zh-Hant": "診前問診", "en": "Before your consultation", "zh-Hans": "诊前问诊"},
    "disclaimer": {
        "zh-Hant": "這不是診斷。如您感到更不適，請立即告訴職員。",
        "en": "This is not a diagnosis. If you feel worse, tell the staff now.",
        "zh-Hans": "这不是诊断。如您感到更不舒服，请立即告诉工作人员。",
    },
    "alert": {
        "zh-Hant": "您的情況可能需要立即處理。請馬上告訴接待處職員。",
        "en": "Your answers may need attention now. Please tell the reception staff straight away.",
        "zh-Hans": "您的情况可能需要立即处理。请马上告诉接待处工作人员。",
    },
    "enter_code": {
        "zh-Hant": "請輸入接待處給您的編號",
        "en": "Enter the code reception gave you",
        "zh-Hans": "请输入接待处给您的编号",
    },
    "start": {"zh-Hant": "開始", "en": "Start", "zh-Hans": "开始"},
    "send": {"zh-Hant": "傳送", "en": "Send", "zh-Hans": "发送"},
    "your_answer": {"zh-Hant": "您的回答", "en": "Your answer", "zh-Hans": "您的回答"},
    "skip_hint": {
        "zh-Hant": "不清楚可以寫「不知道」。",
        "en": 'If you are not sure, write "don\'t know".',
        "zh-Hans": "不清楚可以写“不知道”。",
    },
    "question_of": {
        "zh-Hant": "第 {n} 題，共 {total} 題",
        "en": "Question {n} of {total}",
        "zh-Hans": "第 {n} 题，共 {total} 题",
    },
    "check_summary": {
        "zh-Hant": "請檢查描述並進行必要的修改",
        "en": "Please check the description and correct it if needed",
        "zh-Hans": "请检查描述并进行必要的修改",
    },
    "reset": {"zh-Hant": "重設", "en": "Reset", "zh-Hans": "重置"},
    "done": {"zh-Hant": "完成", "en": "Done", "zh-Hans": "完成"},
    "thanks": {
        "zh-Hant": "多謝！醫生會在診症時看到您的描述。請在候診區等候。",
        "en": "Thank you! The doctor will see your description at the consultation. Please wait in the waiting area.",
        "zh-Hans": "谢谢！医生会在看诊时看到您的描述。请在候诊区等候。",
    },
    "your_number": {"zh-Hant": "您的編號", "en": "Your number", "zh-Hans": "您的编号"},
    "empty": {
        "zh-Hant": "請先寫下您的回答。",
        "en": "Please write your answer first.",
        "zh-Hans": "请先写下您的回答。",
    },
    "too_long": {
        "zh-Hant": "回答太長（{n} 字）。請縮短至 {max} 字以內；您的文字仍在下面。",
        "en": "Your answer is too long ({n} characters). Please shorten it to {max}; your text is still below.",
        "zh-Hans": "回答太长（{n} 字）。请缩短至 {max} 字以内；您的文字仍在下面。",
    },
    "summary_empty": {
        "zh-Hant": "描述不可以空白。",
        "en": "The description cannot be empty.",
        "zh-Hans": "描述不可以空白。",
    },
    "language": {"zh-Hant": "語言", "en": "Language", "zh-Hans": "语言"},
    "back": {"zh-Hant": "返回", "en": "Back", "zh-Hans": "返回"},
    "speak": {"zh-Hant": "用說話回答", "en": "Speak your answer", "zh-Hans": "用说话回答"},
    "stop": {"zh-Hant": "停止錄音", "en": "Stop recording", "zh-Hans": "停止录音"},
    "recording": {
        "zh-Hant": "錄音中…說完請按「停止錄音」。",
        "en": "Recording… press Stop when you have finished.",
        "zh-Hans": "录音中…说完请按“停止录音”。",
    },
    "wait": {
        "zh-Hant": "正在轉成文字…前面還有 {n} 位。",
        "en": "Turning your words into text… {n} ahead of you.",
        "zh-Hans": "正在转成文字…前面还有 {n} 位。",
    },
    "check_text": {
        "zh-Hant": "請檢查文字，需要時修改，然後按「傳送」。",
        "en": "Please check the text, correct it if needed, then press Send.",
        "zh-Hans": "请检查文字，需要时修改，然后按“发送”。",
    },
    "speech_failed": {
        "zh-Hant": "聽不清楚。請再試一次，或者用打字回答。",
        "en": "We could not make that out. Please try again, or type your answer.",
        "zh-Hans": "听不清楚。请再试一次，或者用打字回答。",
    },
    "speech_too_long": {
        "zh-Hant": "錄音太長（最多兩分鐘）。請分開幾次講，或者用打字回答。",
        "en": "The recording is too long (two minutes at most). Please say it in parts, or type it.",
        "zh-Hans": "录音太长（最多两分钟）。请分开几次说，或者用打字回答。",
    },
    "mic_denied": {
        "zh-Hant": "未能使用咪高峰。您可以用打字回答。",
        "en": "The microphone is not available. You can type your answer.",
        "zh-Hans": "无法使用麦克风。您可以用打字回答。",
    },
}


def t(key: str, lang: str, **values: object) -> str:
    text = TEXT[key].get(lang) or TEXT[key]["en"]
    return text.format(**values) if values else text


def pick_lang(value: str | None) -> str:
    return value if value in LANGS else "zh-Hant"


def questions_for(answers: dict[str, str]) -> list[Question]:
    """The questions this patient is asked, in order, given the answers so far."""
    plan = [OPENING]
    complaint = answers.get("complaint", "")
    extra = next((q for pattern, q in CONTEXTUAL if complaint and pattern.search(complaint)), None)
    follow = list(FOLLOW_UPS)
    if extra is not None:
        follow.insert(0, extra)
    return plan + follow[:MAX_FOLLOW_UPS]


def next_question(answers: dict[str, str]) -> Question | None:
    return next((q for q in questions_for(answers) if q.key not in answers), None)


def all_questions() -> list[Question]:
    return [OPENING, *FOLLOW_UPS, *(q for _, q in CONTEXTUAL)]


def summary(answers: dict[str, str], lang: str) -> str:
    """The patient's own words under a heading per question: what the patient checks and edits."""
    labels = {q.key: q.label for q in all_questions()}
    lines = []
    for q in questions_for(answers):
        answer = " ".join(answers.get(q.key, "").split())
        if answer:
            lines.append(f"{labels[q.key].get(lang, labels[q.key]['en'])}: {answer}")
    return "\n".join(lines)


def check_answer(text: str, lang: str) -> str | None:
    """None when the answer can be saved, else the one sentence the patient sees."""
    if not text.strip():
        return t("empty", lang)
    if len(text) > MAX_ANSWER_CHARS:
        return t("too_long", lang, n=len(text), max=MAX_ANSWER_CHARS)
    return None
