"""The frozen test set of the speaker benchmark: voices, engines and wording never tuned on.

Frozen before any tuning of the labeller; never tune on it (``tests/unit/eval`` checks its
fingerprint, so a change shows in review). It differs from the development set
(:mod:`desktop.eval.speaker_dev_set`) in every way the labeller could have learnt:

* **voices**: espeak-ng variants the development set never uses (US and British English
  ``en-us+m2``, ``en-gb-x-rp+f4``, ``en-us+f2``, ``en+m5``, ``en-us+f5``; Cantonese ``yue+m2``,
  ``yue+f4``, ``yue+m5``);
* **engine**: the neural Piper voice ``en_US-joe-medium`` (never in development), as it is and
  as sox pitch / tempo / formant-shifted variants (``joe-high`` is raised by five semitones and its
  formants by 16 %, a different-sounding person);
* **wording**: consultations written for this set (knee pain, a diabetes review, headaches, a
  fall brought by a son, abdominal pain in Cantonese, a feverish child with her mother in
  Cantonese, a mixed-language sore throat, a dictated letter);
* **rooms and microphones**: an office and a hall, fan noise, and a lapel microphone that is less
  well separated than the development set's (the doctor only 5 dB quieter on the room channel);
* **roles not by order or pitch**: a woman doctor with a man as patient, and a patient who speaks
  first.
"""

from __future__ import annotations

from desktop.asr.speakers.profile import enrolment_prompt
from desktop.eval.speaker_samples import Microphones, Scenario, Voice

JOE = Voice("en_US-joe-medium", speed=165, engine="piper")
JOE_HIGH = Voice("en_US-joe-medium", speed=150, engine="piper", shift_cents=500, formant=1.16)
JOE_LOW = Voice("en_US-joe-medium", speed=155, engine="piper", shift_cents=-200, formant=0.95, tempo=0.95)
JOE_FAST = Voice("en_US-joe-medium", speed=180, engine="piper", shift_cents=150, tempo=1.08)
US_MAN = Voice("en-us+m2", pitch=45, speed=160)
GB_WOMAN = Voice("en-gb-x-rp+f4", pitch=65, speed=150)
US_WOMAN = Voice("en-us+f2", pitch=60, speed=165)
GB_MAN_OLD = Voice("en+m5", pitch=30, speed=135, tempo=0.95)
US_WOMAN_YOUNG = Voice("en-us+f5", pitch=75, speed=170, formant=1.05)
YUE_MAN = Voice("yue+m2", pitch=42, speed=160)
YUE_WOMAN = Voice("yue+f4", pitch=68, speed=150)
YUE_MAN_OLD = Voice("yue+m5", pitch=32, speed=135, shift_cents=-100)

ENROLMENT_EN = enrolment_prompt("en")
ENROLMENT_YUE = enrolment_prompt("zh")

KNEE: tuple[tuple[str, str], ...] = (
    ("doctor", "Hello, come in and have a seat. How can I help you this afternoon?"),
    ("patient", "My right knee has been swollen and stiff for about two weeks now."),
    ("doctor", "Did you injure it, a twist or a fall, before the swelling began?"),
    ("patient", "I was playing football and somebody landed on my leg, it gave way."),
    ("doctor", "Can you walk on it, and does it lock or click when you bend it?"),
    ("patient", "Walking is fine on flat ground but stairs are painful, and sometimes it catches."),
    ("doctor", "Please lie back on the couch and straighten your leg for me."),
    ("doctor", "There is an effusion, tenderness along the medial joint line, and McMurray's test is positive."),
    ("patient", "What does that mean, is something torn?"),
    ("doctor", "It may be a meniscus tear. I will arrange an MRI scan and refer you to orthopaedics."),
    ("patient", "Should I stop going to the gym until then?"),
    ("doctor", "Avoid running and twisting, use ice, and take naproxen five hundred milligrams twice a day with food."),
    ("patient", "All right, thanks a lot."),
)  # fmt: skip

DIABETES: tuple[tuple[str, str], ...] = (
    ("doctor", "Good morning. This is your three month diabetes review, how have things been?"),
    ("patient", "Mostly fine, although I feel thirsty at night and get up to pass water twice."),
    ("doctor", "Are you still taking the metformin, and have you missed any doses?"),
    ("patient", "I take it every morning and evening, but I forget the evening one now and then."),
    ("doctor", "Your HbA1c came back at eight point two percent, higher than last time."),
    ("patient", "That sounds bad. I have been eating more rice since my wife went abroad."),
    ("doctor", "Let me check your feet. Can you feel this monofilament on your toes?"),
    ("patient", "Yes, I can feel it on both feet."),
    ("doctor", "Sensation is intact and the foot pulses are good. Blood pressure one thirty six over eighty four."),
    ("doctor", "I would like to add gliclazide forty milligrams with breakfast."),
    ("patient", "Will it make my sugar go too low?"),
    ("doctor", "It can, so eat regular meals, and if you feel shaky or sweaty take some sugar and tell me."),
    ("patient", "Understood. When do I come back?"),
    ("doctor", "Book a blood test in three months and see me a week later."),
)  # fmt: skip

HEADACHE: tuple[tuple[str, str], ...] = (
    ("patient", "Doctor, I keep waking up with a pounding headache and I am getting worried."),
    ("doctor", "I'm sorry to hear that. How long has this been going on?"),
    ("patient", "Nearly a month. It is worse in the mornings and when I bend down."),
    ("doctor", "Have you noticed any blurred vision, vomiting or weakness in your arms or legs?"),
    ("patient", "My vision goes blurry for a few seconds when I stand up quickly."),
    ("doctor", "Any recent weight gain, or new medicines such as the contraceptive pill?"),
    ("patient", "I started a new pill in the spring and I have put on about six kilos."),
    ("doctor", "I am going to look at the back of your eyes with the ophthalmoscope. Look straight ahead."),
    ("doctor", "Both optic discs look swollen. Reflexes are normal and there is no neck stiffness."),
    ("patient", "Is it a tumour?"),
    ("doctor", "Most likely not, but swelling like this needs a brain scan today. I will call the eye team and the hospital."),
    ("patient", "Okay. Can my sister drive me there?"),
    ("doctor", "Yes, please go straight to the emergency department, I will send a letter with you."),
)  # fmt: skip

FALL_WITH_SON: tuple[tuple[str, str], ...] = (
    ("doctor", "Good evening, both of you. What happened?"),
    ("other", "I'm his son. Dad fell on the kitchen floor last night and couldn't get up for an hour."),
    ("doctor", "Mister Wong, do you remember falling, did you feel faint or trip over something?"),
    ("patient", "I felt the room spin and then I was on the floor. My hip hurts."),
    ("other", "He has been drinking very little since his cold last week."),
    ("doctor", "Which tablets does he take at the moment?"),
    ("other", "Amlodipine for blood pressure and a water tablet, furosemide, every morning."),
    ("doctor", "Mister Wong, I am going to press on your hip. Tell me if it hurts."),
    ("patient", "Ouch, yes, right there."),
    ("doctor", "Lying blood pressure one hundred and ten over sixty five, standing ninety two over fifty. His mouth is dry."),
    ("doctor", "He is dehydrated and his blood pressure drops when he stands. The hip needs an X ray."),
    ("other", "Does he have to go into hospital?"),
    ("doctor", "Yes, I will refer him to the emergency department and stop the furosemide for now."),
    ("patient", "Thank you for looking after me."),
)  # fmt: skip

YUE_ABDOMEN: tuple[tuple[str, str], ...] = (
    ("doctor", "你好，請坐。今日邊度唔舒服？"),
    ("patient", "我個肚好痛，右下邊痛咗成日，仲想嘔。"),
    ("doctor", "痛係點樣開始㗎？係咪先喺肚臍附近痛？"),
    ("patient", "係呀，琴晚喺肚臍度開始，今朝就走咗去右邊。"),
    ("doctor", "有冇發燒？大便正唔正常？"),
    ("patient", "有少少發燒，今朝冇胃口，大便就正常。"),
    ("doctor", "我幫你檢查下個肚，你瞓低，放鬆。"),
    ("doctor", "右下腹壓痛，有反彈痛，體溫三十七點九度。"),
    ("patient", "醫生，係咪盲腸炎呀？"),
    ("doctor", "好有可能係急性闌尾炎，我寫封信你即刻去急症室。"),
    ("patient", "我可唔可以食止痛藥先？"),
    ("doctor", "暫時唔好食嘢飲嘢，去到醫院醫生會幫你處理。"),
    ("patient", "好，唔該你。"),
)  # fmt: skip

YUE_CHILD_WITH_MOTHER: tuple[tuple[str, str], ...] = (
    ("doctor", "早晨，小朋友邊度唔舒服呀？"),
    ("other", "我係佢媽媽。佢由前日開始發燒，成日喊，唔肯食嘢。"),
    ("doctor", "最高燒到幾多度？有冇食退燒藥？"),
    ("other", "最高三十九度半，我俾咗佢食必理痛，食完會退少少。"),
    ("doctor", "妹妹，你邊度痛呀？"),
    ("patient", "我喉嚨好痛，耳仔都痛。"),
    ("doctor", "嚟，擘大個口，講啊。"),
    ("doctor", "扁桃腺好紅好腫，有白色分泌物，左邊耳膜發紅。"),
    ("other", "使唔使食抗生素呀？"),
    ("doctor", "要，我開阿莫西林俾佢，一日三次，食足十日。"),
    ("patient", "啲藥苦唔苦㗎？"),
    ("doctor", "係甜嘅藥水，唔苦。如果三日都仲燒就帶佢返嚟覆診。"),
    ("other", "明白，多謝醫生。"),
)  # fmt: skip

MIXED_THROAT: tuple[tuple[str, str], ...] = (
    ("doctor", "Hello, what brings you in today?"),
    ("patient", "我喉嚨痛咗三日，吞口水都好痛。"),
    ("doctor", "Any fever, cough or runny nose?"),
    ("patient", "有少少發燒，冇咳，有少少鼻水。"),
    ("doctor", "Are you allergic to any antibiotics?"),
    ("patient", "冇，我冇藥物敏感。"),
    ("doctor", "Open your mouth and say ah. Tonsils are enlarged with exudate, and the neck glands are tender."),
    ("patient", "醫生，係咪細菌感染？"),
    ("doctor", "It looks like bacterial tonsillitis. I will prescribe penicillin V for ten days."),
    ("patient", "好，我聽日可唔可以返工？"),
    ("doctor", "Rest for two days, I will give you a sick leave certificate."),
    ("patient", "唔該晒醫生。"),
)  # fmt: skip

DICTATION: tuple[tuple[str, str], ...] = (
    ("doctor", "Letter to the respiratory clinic regarding Missus Chan, fifty eight years old."),
    ("doctor", "She presents with three months of exertional breathlessness and a dry cough."),
    ("doctor", "She is an ex-smoker of thirty pack years and worked in a textile factory."),
    ("doctor", "Examination shows fine inspiratory crackles at both bases and finger clubbing."),
    ("doctor", "Oxygen saturation ninety three percent on room air at rest."),
    ("doctor", "I would be grateful for your assessment for interstitial lung disease. Yours sincerely."),
)  # fmt: skip

LAPEL_NEAR = Microphones(doctor_on_room=5.0, others_on_lapel=11.0, lapel_dry=True, lapel_noise=0.7)


def frozen_test_scenarios() -> list[Scenario]:
    """The frozen test consultations (never tuned on)."""
    return [
        Scenario(
            "test-en-usman-gbwoman", KNEE, (("doctor", US_MAN), ("patient", GB_WOMAN)), ENROLMENT_EN,
            seed=101, split="test", room="office",
        ),
        Scenario(
            "test-en-piper-doctor", DIABETES, (("doctor", JOE), ("patient", US_WOMAN)), ENROLMENT_EN,
            seed=102, split="test",
        ),
        Scenario(
            "test-en-piper-pair", KNEE, (("doctor", JOE), ("patient", JOE_HIGH)), ENROLMENT_EN,
            seed=103, split="test", room="office",
        ),
        Scenario(
            "test-en-woman-doctor", DIABETES, (("doctor", US_WOMAN_YOUNG), ("patient", JOE_LOW)), ENROLMENT_EN,
            seed=104, split="test",
        ),
        Scenario(
            "test-en-patient-first", HEADACHE, (("doctor", GB_MAN_OLD), ("patient", JOE_HIGH)), ENROLMENT_EN,
            seed=105, split="test", room="office",
        ),
        Scenario(
            "test-en-3voice", FALL_WITH_SON,
            (("doctor", JOE), ("patient", GB_MAN_OLD), ("other", US_MAN)), ENROLMENT_EN,
            seed=106, split="test",
        ),
        Scenario(
            "test-yue-2voice", YUE_ABDOMEN, (("doctor", YUE_MAN), ("patient", YUE_WOMAN)), ENROLMENT_YUE,
            seed=107, split="test", language="yue", room="office",
        ),
        Scenario(
            "test-yue-3voice", YUE_CHILD_WITH_MOTHER,
            (("doctor", YUE_MAN_OLD), ("patient", Voice("yue+f4", pitch=90, speed=175, formant=1.12)),
             ("other", YUE_WOMAN)), ENROLMENT_YUE,
            seed=108, split="test", language="yue",
        ),
        Scenario(
            "test-mixed-piper-yue", MIXED_THROAT, (("doctor", JOE_FAST), ("patient", YUE_WOMAN)), ENROLMENT_EN,
            seed=109, split="test", language="auto",
        ),
        Scenario(
            "test-en-noisy-hall", HEADACHE, (("doctor", US_MAN), ("patient", JOE_HIGH)), ENROLMENT_EN,
            seed=110, split="test", room="hall", noise="fan", snr_db=10.0,
        ),
        Scenario(
            "test-en-similar-men", KNEE, (("doctor", JOE), ("patient", JOE_LOW)), ENROLMENT_EN,
            seed=111, split="test",
        ),
        Scenario(
            "test-en-single-voice", DICTATION, (("doctor", JOE),), ENROLMENT_EN, seed=112, split="test",
        ),
        Scenario(
            "test-en-lapel", DIABETES, (("doctor", JOE), ("patient", GB_WOMAN)), ENROLMENT_EN,
            two_channel=True, seed=113, split="test", room="office", microphones=LAPEL_NEAR,
        ),
        Scenario(
            "test-en-similar-men-lapel", KNEE, (("doctor", JOE), ("patient", JOE_LOW)), ENROLMENT_EN,
            two_channel=True, seed=114, split="test", room="office", noise="fan", microphones=LAPEL_NEAR,
        ),
        Scenario(
            "test-yue-3voice-lapel", YUE_CHILD_WITH_MOTHER,
            (("doctor", YUE_MAN), ("patient", Voice("yue+f4", pitch=90, speed=175, formant=1.12)),
             ("other", YUE_WOMAN)), ENROLMENT_YUE,
            two_channel=True, seed=115, split="test", language="yue", microphones=LAPEL_NEAR,
        ),
        Scenario(
            "test-mixed-lapel", MIXED_THROAT, (("doctor", US_MAN), ("patient", YUE_MAN_OLD)), ENROLMENT_EN,
            two_channel=True, seed=116, split="test", language="auto", room="hall", microphones=LAPEL_NEAR,
        ),
    ]  # fmt: skip
