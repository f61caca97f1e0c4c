"""ConsultScribe: an offline voice assistant for the consulting room."""

import os as _os

__version__ = "0.1.0"

# ONNX Runtime (the Silero voice detector and an optional speaker model) sends usage telemetry
# from native code: on import it writes a device id under ~/.cache/Microsoft and later resolves
# and contacts a Microsoft host. The app never opens a connection off the machine, so this is
# switched off before any module can import onnxruntime (the frozen app imports this package
# first as well). The variable is forced, not defaulted: no environment may turn it back on.
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"
