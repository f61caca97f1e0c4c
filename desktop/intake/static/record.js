// Spoken answers: record in the browser, send to this service, put the text in the answer box
// for the patient to check. Without a microphone (or this script) the page works typed only.
(function () {
  "use strict";
  var button = document.getElementById("record");
  if (!button || !navigator.mediaDevices || !window.MediaRecorder) { return; }
  var box = document.getElementById("answer");
  var status = document.getElementById("record-status");
  var csrf = document.querySelector('input[name="csrf"]').value;
  var recorder = null;
  var chunks = [];
  var limit = null;
  button.hidden = false;

  function say(text) { status.textContent = text; }

  function upload(blob) {
    var waiting = true;
    button.disabled = true;
    say(button.dataset.wait.replace("{n}", "0"));
    var timer = setInterval(function () {
      fetch("/speech/wait", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (d) { if (waiting) { say(button.dataset.wait.replace("{n}", String(d.ahead))); } })
        .catch(function () {});
    }, 2000);
    fetch("/speech", {
      method: "POST", body: blob, credentials: "same-origin",
      headers: { "x-intake-form": csrf, "content-type": blob.type || "application/octet-stream" }
    })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        waiting = false;
        if (d.text) {
          box.value = box.value ? box.value + " " + d.text : d.text;
          say(button.dataset.check);
          box.focus();
        } else {
          say(d.message || button.dataset.failed);
        }
      }, function () { waiting = false; say(button.dataset.failed); })
      .then(function () { clearInterval(timer); button.disabled = false; });
  }

  button.addEventListener("click", function () {
    if (recorder && recorder.state === "recording") { recorder.stop(); return; }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) { chunks.push(e.data); } };
      recorder.onstop = function () {
        clearTimeout(limit);
        stream.getTracks().forEach(function (t) { t.stop(); });
        button.textContent = button.dataset.start;
        upload(new Blob(chunks, { type: recorder.mimeType || "audio/webm" }));
      };
      recorder.start();
      limit = setTimeout(function () { if (recorder.state === "recording") { recorder.stop(); } }, 115000);
      button.textContent = button.dataset.stop;
      say(button.dataset.recording);
    }, function () { say(button.dataset.denied); });
  });
}());
