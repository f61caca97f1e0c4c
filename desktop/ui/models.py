"""Settings → Models: the installed models, verifying their files, adding a clinic-supplied one."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import UserFacingError
from desktop.services.jobs import Job, JobContext, WorkerThread
from desktop.services.ports import ModelInfo, ModelsPort


class ModelsTab(QWidget):
    """The model list with Verify (re-hash the selected model) and Add a model… (a folder or .gguf).

    Both run on their own worker thread with a progress bar; the window stays usable.
    """

    def __init__(self, models: ModelsPort, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelsTab")
        self._models = models
        self._infos: list[ModelInfo] = []
        self._worker: WorkerThread | None = None
        self.job: Job | None = None
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("modelsTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Model"), self.tr("Role"), self.tr("Size"), self.tr("Licence"), self.tr("State")]
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.verify_button = QPushButton(self.tr("Verify"))
        self.verify_button.setObjectName("verifyModel")
        self.verify_button.setToolTip(self.tr("Check every file of the selected model against its SHA-256"))
        self.add_button = QPushButton(self.tr("Add a model…"))
        self.add_button.setObjectName("addModel")
        self.add_button.setToolTip(
            self.tr("Install a Whisper (CTranslate2) folder or a llama.cpp .gguf file")
        )
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        row.addWidget(self.verify_button)
        row.addWidget(self.add_button)
        row.addWidget(self.progress, 1)
        layout.addLayout(row)
        self.message = QLabel("")
        self.message.setObjectName("modelsMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.verify_button.clicked.connect(lambda: self.verify())
        self.add_button.clicked.connect(lambda: self.add())
        self.refresh()

    def refresh(self) -> None:
        try:
            self._infos = self._models.models()
        except UserFacingError as exc:
            self._infos = []
            self._say(f"{exc.message} {exc.hint}".strip(), error=True)
        self.table.setRowCount(len(self._infos))
        for row, m in enumerate(self._infos):
            state = self.tr("ready") if m.usable and not m.problem else (m.problem or self.tr("ready"))
            values = (m.name, m.role, f"{m.size / 1e6:.0f} MB", m.licence, state)
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))
        if self._infos and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color:#b00020;" if error else "color:#2e7d32;")
        self.message.setText(text)

    def _run(self, name: str, work: Job) -> Job:
        if self._worker is None:
            self._worker = WorkerThread("models", self)
        self.job = work
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.verify_button.setEnabled(False)
        self.add_button.setEnabled(False)
        work.progress.connect(self._progress)
        work.failed.connect(lambda m, h: self._say(f"{m} {h}".strip(), error=True))
        work.done.connect(self._done)
        return self._worker.run(work)

    def _progress(self, _what: str, fraction: float) -> None:
        if fraction >= 0:
            self.progress.setRange(0, 100)
            self.progress.setValue(int(fraction * 100))

    def _done(self) -> None:
        self.progress.setVisible(False)
        self.verify_button.setEnabled(True)
        self.add_button.setEnabled(True)
        self.refresh()

    def verify(self) -> Job | None:
        row = self.table.currentRow()
        if not 0 <= row < len(self._infos) or (self.job is not None and self.job.running):
            return None
        name, models = self._infos[row].name, self._models

        def work(ctx: JobContext) -> str:
            return models.verify(name, ctx.progress)

        job = Job(self.tr("verifying the model"), work)
        job.succeeded.connect(lambda problem: self._verified(name, str(problem)))
        return self._run(name, job)

    def _verified(self, name: str, problem: str) -> None:
        if problem:
            self._say(
                self.tr("%1 is damaged: %2. Add it again from the installer or the clinic's copy.")
                .replace("%1", name)
                .replace("%2", problem),
                error=True,
            )
        else:
            self._say(self.tr("%1: every file matches its SHA-256.").replace("%1", name))

    def add(self, path: str = "") -> Job | None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, self.tr("Add a model"), "", self.tr("Language model (*.gguf);;All files (*)")
            )
        if not path:
            return None
        models = self._models

        def work(ctx: JobContext) -> ModelInfo:
            return models.add(path, ctx.progress)

        job = Job(self.tr("adding the model"), work)
        job.succeeded.connect(
            lambda info: self._say(
                self.tr("%1 was added; choose it under Language model or Speech.").replace("%1", info.name)
            )
        )
        return self._run(path, job)

    def shutdown(self) -> None:
        if self._worker is not None:
            self._worker.shutdown()
            self._worker = None
