"""A real browser (Debian's chromium through chromium-driver) walks an intake on a 390 px phone screen.

Screenshots of each screen are taken; with CONSULTSCRIBE_SCREENSHOTS=1 they are saved as
docs/img/intake-*.png (the pictures in docs/intake.md), otherwise in a temporary folder, so a test
run leaves the checkout as it was. The service runs on real HTTPS
(a self-signed certificate the browser is told to trust by its key, nothing else).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.intake import plan
from desktop.intake.loadcheck import RunningService, serve_in_thread, throwaway_store
from desktop.storage import intake as store_intake

REPO = Path(__file__).resolve().parents[2]
IMG = (
    REPO / "docs" / "img"
    if os.environ.get("CONSULTSCRIBE_SCREENSHOTS") == "1"
    else Path(tempfile.mkdtemp(prefix="intake-screens-"))
)
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium and chromium-driver are not installed"),
]


def _spki(cert: Path) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key = x509.load_pem_x509_certificate(cert.read_bytes()).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    folder = tmp_path_factory.mktemp("intake-browser")
    with throwaway_store(folder) as store, serve_in_thread(store, folder) as running:
        yield running


@pytest.fixture
def browser(service: RunningService) -> Iterator[object]:
    yield from _chromium(service)


def _chromium(service: RunningService, *extra: str) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="intake-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-extensions",
        "--disable-default-apps",
        "--lang=en-GB",
        f"--user-data-dir={profile}",
        f"--ignore-certificate-errors-spki-list={_spki(service.cert)}",
        *extra,
    ):
        options.add_argument(arg)
    options.add_experimental_option(
        "mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2}}
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _shot(driver: object, name: str) -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")  # type: ignore[attr-defined]
    driver.save_screenshot(str(IMG / f"intake-{name}.png"))  # type: ignore[attr-defined]


def _submit(driver: object, button: object) -> None:
    """Click and wait until the next page has replaced this one."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    html = driver.find_element("tag name", "html")  # type: ignore[attr-defined]
    button.click()  # type: ignore[attr-defined]
    WebDriverWait(driver, 20).until(expected_conditions.staleness_of(html))  # type: ignore[arg-type]


def _fits_phone(driver: object) -> None:
    width = driver.execute_script("return document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


def _walk(driver: object, service: RunningService, lang: str, answers: list[str], name: str) -> int:
    from selenium.webdriver.common.by import By

    issued = store_intake.issue_code(service.store)
    driver.get(f"{service.url}/c/{issued.code}?lang={lang}")  # type: ignore[attr-defined]
    find = driver.find_element  # type: ignore[attr-defined]
    assert find(By.ID, "code").get_attribute("value") == issued.code
    assert plan.t("disclaimer", lang) in find(By.CSS_SELECTOR, ".disclaimer").text
    _fits_phone(driver)
    _shot(driver, f"{name}-1-code")
    _submit(driver, find(By.CSS_SELECTOR, "form button"))
    step = 0
    while driver.find_elements(By.ID, "answer"):  # type: ignore[attr-defined]
        question = find(By.CSS_SELECTOR, "label.question").text
        assert question in {q.text[lang] for q in plan.all_questions()}
        find(By.ID, "answer").send_keys(answers[min(step, len(answers) - 1)])
        if step in (0, 3):
            _fits_phone(driver)
            _shot(driver, f"{name}-{2 if step == 0 else 3}-question")
        _submit(driver, find(By.CSS_SELECTOR, "form.answer button[type=submit]"))
        step += 1
    assert plan.t("check_summary", lang) in find(By.CSS_SELECTOR, "label.question").text
    box = find(By.ID, "summary")
    assert answers[0] in box.get_attribute("value")
    box.send_keys("\n" + {"en": "(checked by me)", "zh-Hant": "（已檢查）"}[lang])
    _fits_phone(driver)
    _shot(driver, f"{name}-4-summary")
    _submit(driver, find(By.CSS_SELECTOR, "button[value=done]"))
    assert plan.t("thanks", lang) in find(By.CSS_SELECTOR, ".thanks").text
    _shot(driver, f"{name}-5-done")
    log = driver.get_log("browser")  # type: ignore[attr-defined]
    assert not [e for e in log if "Content Security Policy" in e["message"] or e["level"] == "SEVERE"], log
    return issued.session_id


def test_english_intake_in_a_browser(browser: object, service: RunningService) -> None:
    answers = [
        "An itchy rash on both arms",
        "No, nothing new",
        "Since Saturday",
        "3 out of 10, the same",
        "No",
        "Cetirizine",
        "None that I know",
        "Eczema as a child",
        "No",
    ]
    sid = _walk(browser, service, "en", answers, "en")
    saved = store_intake.get(service.store, sid)
    assert saved.state == "confirmed" and saved.category == 3
    assert saved.summary.endswith("(checked by me)")
    assert saved.answers["complaint"] == "An itchy rash on both arms"


def test_chinese_intake_with_a_warning_sign(browser: object, service: RunningService) -> None:
    answers = [
        "心口痛",
        "胸口中間，有時痛到左手",
        "今朝開始，大約兩個鐘",
        "六分，越嚟越痛",
        "有，出咗好多冷汗",
        "血壓藥",
        "冇",
        "高血壓",
        "冇",
    ]
    sid = _walk(browser, service, "zh-Hant", answers, "zh")
    saved = store_intake.get(service.store, sid)
    assert saved.state == "confirmed" and saved.category == 1
    assert "chest pain" in saved.category_reason
    assert saved.chat[1]["text"] == "心口痛"


def test_a_spoken_answer_in_a_browser(tmp_path: Path, asr_model_path: Path) -> None:
    """The page records the (fake) microphone, the service transcribes it, the text lands in the box."""
    import subprocess

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from desktop.asr.engine import WhisperEngine
    from desktop.intake.speech import Transcriber

    if shutil.which("espeak-ng") is None:
        pytest.skip("needs espeak-ng")
    wav = tmp_path / "answer.wav"
    subprocess.run(
        ["espeak-ng", "-s", "130", "-w", str(wav), "I have a sore throat and a cough."],
        check=True,
        capture_output=True,
        timeout=60,
    )
    transcriber = Transcriber(WhisperEngine(asr_model_path, device="cpu", compute_type="int8", cpu_threads=1))
    with (
        throwaway_store(tmp_path) as store,
        serve_in_thread(store, tmp_path, transcriber=transcriber) as running,
    ):
        driver_gen = _chromium(
            running,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}",
        )
        driver = next(driver_gen)
        try:
            issued = store_intake.issue_code(store)
            driver.get(f"{running.url}/c/{issued.code}?lang=en")  # type: ignore[attr-defined]
            _submit(driver, driver.find_element(By.CSS_SELECTOR, "form button"))  # type: ignore[attr-defined]
            record = driver.find_element(By.ID, "record")  # type: ignore[attr-defined]
            assert record.is_displayed()  # the script revealed it
            record.click()
            WebDriverWait(driver, 10).until(lambda d: "Stop" in record.text)
            import time

            time.sleep(4.5)  # the fake microphone plays the sentence
            record.click()
            box = driver.find_element(By.ID, "answer")  # type: ignore[attr-defined]
            WebDriverWait(driver, 120).until(lambda d: box.get_attribute("value"))
            text = box.get_attribute("value").lower()
            assert "throat" in text or "cough" in text, text
            status = driver.find_element(By.ID, "record-status")  # type: ignore[attr-defined]
            WebDriverWait(driver, 10).until(lambda d: "check the text" in status.text)
            _shot(driver, "en-6-spoken")
            _submit(driver, driver.find_element(By.CSS_SELECTOR, "form.answer button[type=submit]"))  # type: ignore[attr-defined]
            saved = store_intake.get(store, issued.session_id)
            assert saved.answers["complaint"].lower() == text
            log = driver.get_log("browser")  # type: ignore[attr-defined]
            assert not [
                e for e in log if "Content Security Policy" in e["message"] or e["level"] == "SEVERE"
            ], log
        finally:
            next(driver_gen, None)
