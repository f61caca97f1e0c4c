#!/usr/bin/env bash
# Build everything that can be built on Linux, in one command:
#
#   packaging/build.sh --out DIR [--skip-smoke] [--no-model-packs]
#
# DIR receives: consult-scribe/ (the one-folder app, executable consult-scribe), the .deb, a
# signed flat apt repository (apt/), the Authenticode-signed MSI (built with wixl from the Linux
# build as payload: a packaging check, the real Windows MSI comes from .github/workflows/windows.yml),
# the default model packs, a CycloneDX SBOM per installer, SHA256SUMS with a detached GPG
# signature for it and for every artifact, the public key, and build-report.json.
#
# Signing keys: by default a throwaway GPG key and a test code-signing certificate are made for
# the build (CI). For a release, point the build at the real keys (docs/it.md, "Signing"):
#   CONSULT_SCRIBE_GNUPGHOME=... CONSULT_SCRIBE_GPG_KEY=FINGERPRINT        (GPG, e.g. on a smart card)
#   CONSULT_SCRIBE_PKCS12=cert.p12 CONSULT_SCRIBE_PKCS12_PASS_FILE=...      (Authenticode)
#   CONSULT_SCRIBE_TIMESTAMP_URL=http://timestamp.example                   (optional RFC 3161)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
OUT=""
SMOKE=1
PACKS=1
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT="$2"; shift 2 ;;
        --skip-smoke) SMOKE=0; shift ;;
        --no-model-packs) PACKS=0; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "build.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -n "$OUT" ] || { echo "usage: packaging/build.sh --out DIR" >&2; exit 2; }

missing=""
for tool in dpkg-deb dpkg-scanpackages apt-ftparchive wixl msibuild msiinfo osslsigncode gpg gpgv openssl; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    echo "build.sh: missing tools:$missing" >&2
    echo "  apt-get install dpkg-dev apt-utils wixl msitools osslsigncode gnupg openssl" >&2
    exit 2
fi
"$PY" -c "import PyInstaller" 2>/dev/null || { echo "build.sh: pip install -e '.[build]' first" >&2; exit 2; }

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
WORK="$ROOT/packaging/build/work"
RELEASE=("$PY" "$ROOT/packaging/release.py")
VERSION="$("$PY" -c "import re,sys; print(re.search(r'__version__\s*=\s*\"([^\"]+)\"', open(sys.argv[1]).read()).group(1))" "$ROOT/desktop/__init__.py")"
step() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
t0=$(date +%s)

step "dependency lock"
"$PY" -m pip freeze --exclude-editable --disable-pip-version-check | LC_ALL=C sort > "$OUT/build-environment.txt"
if ! diff -u <(grep -v "^#" "$ROOT/packaging/constraints.txt") "$OUT/build-environment.txt" > "$OUT/constraints-drift.diff"; then
    echo "WARNING: the build environment differs from packaging/constraints.txt (see constraints-drift.diff);"
    echo "         pin it with: pip install -c packaging/constraints.txt -e '.[build]'"
else
    rm -f "$OUT/constraints-drift.diff"
fi

step "one-folder app (PyInstaller)"
rm -rf "$OUT/consult-scribe"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$OUT" --workpath "$WORK" "$ROOT/packaging/consult-scribe.spec"
t_app=$(date +%s)

if [ "$SMOKE" = 1 ]; then
    step "smoke test of the frozen app (offline run in a network namespace)"
    "$PY" "$ROOT/packaging/smoke_test.py" --app "$OUT/consult-scribe" --report "$OUT/smoke-report.json"
fi

step "signing keys"
if [ -n "${CONSULT_SCRIBE_GPG_KEY:-}" ]; then
    GNUPG="${CONSULT_SCRIBE_GNUPGHOME:-${GNUPGHOME:-$HOME/.gnupg}}"
    KEY="$CONSULT_SCRIBE_GPG_KEY"
else
    KEYS="$ROOT/packaging/build/test-keys"
    rm -rf "$KEYS"
    "${RELEASE[@]}" test-keys --dir "$KEYS" >/dev/null
    GNUPG="$KEYS/gnupg"
    KEY="$(cat "$KEYS/gpg-fingerprint")"
    echo "Using a THROWAWAY test GPG key $KEY and a test code-signing certificate (not for release)."
fi
P12="${CONSULT_SCRIBE_PKCS12:-${KEYS:-}/authenticode/codesign.p12}"
P12_PASS="${CONSULT_SCRIBE_PKCS12_PASS_FILE:-${KEYS:-}/authenticode/password}"
gpg --homedir "$GNUPG" --export "$KEY" > "$OUT/consult-scribe-archive-keyring.gpg"
gpg --homedir "$GNUPG" --batch --yes --armor --output "$OUT/consult-scribe-signing-key.asc" --export "$KEY"
if [ -z "${CONSULT_SCRIBE_PKCS12:-}" ]; then
    cp "$KEYS/authenticode/test-ca.pem" "$OUT/consult-scribe-test-ca.pem"
fi

step ".deb and apt repository"
rm -f "$OUT"/consult-scribe_*.deb
DEB="$("${RELEASE[@]}" deb --app "$OUT/consult-scribe" --out "$OUT")"
rm -rf "$OUT/apt"
"${RELEASE[@]}" apt-repo --deb "$DEB" --out "$OUT/apt" --gpg-home "$GNUPG" --key "$KEY" >/dev/null

step "MSI (wixl) and Authenticode signature"
rm -f "$OUT"/ConsultScribe-*.msi
MSI="$("${RELEASE[@]}" msi --app "$OUT/consult-scribe" --out "$OUT")"
sign_args=(sign-msi --msi "$MSI" --pkcs12 "$P12" --pass-file "$P12_PASS")
[ -n "${CONSULT_SCRIBE_TIMESTAMP_URL:-}" ] && sign_args+=(--timestamp-url "$CONSULT_SCRIBE_TIMESTAMP_URL")
"${RELEASE[@]}" "${sign_args[@]}" >/dev/null
if [ -z "${CONSULT_SCRIBE_PKCS12:-}" ]; then
    "${RELEASE[@]}" verify-msi --msi "$MSI" --ca "$OUT/consult-scribe-test-ca.pem" | grep -E "Signature verification"
else
    "${RELEASE[@]}" verify-msi --msi "$MSI" | grep -E "Signature verification"
fi

if [ "$PACKS" = 1 ]; then
    step "model packs of the default models"
    rm -f "$OUT"/*.tar
    "$PY" - "$OUT" "$ROOT" <<'EOF'
import sys
from pathlib import Path

sys.path.insert(0, sys.argv[2])
from desktop import paths
from desktop.model_store import ModelStore
from desktop.model_store.packs import pack_model

store = ModelStore(paths.models_dir(), paths.manifest_file())
for role in ("asr", "llm"):
    print(pack_model(store, store.default_name(role), Path(sys.argv[1])))
EOF
fi

step "SBOM (CycloneDX) per installer"
"${RELEASE[@]}" sbom --work "$WORK/consult-scribe" --python "$PY" --artifact "$DEB" --artifact "$MSI"

step "SHA256SUMS and signatures"
rm -f "$OUT"/*.asc "$OUT/SHA256SUMS"
"${RELEASE[@]}" sums --dir "$OUT" --gpg-home "$GNUPG" --key "$KEY" >/dev/null
gpg --homedir "$GNUPG" --batch --yes --armor --output "$OUT/consult-scribe-signing-key.asc" --export "$KEY"
"${RELEASE[@]}" verify --dir "$OUT" --keyring "$OUT/consult-scribe-archive-keyring.gpg"

t_end=$(date +%s)
"$PY" - "$OUT" "$DEB" "$MSI" "$VERSION" "$((t_app - t0))" "$((t_end - t0))" <<'EOF'
import json
import sys
from pathlib import Path

out, deb, msi, version, t_app, t_all = sys.argv[1:]
app = Path(out) / "consult-scribe"
report = {
    "version": version,
    "one_folder_bytes": sum(p.stat().st_size for p in app.rglob("*") if p.is_file() and not p.is_symlink()),
    "one_folder_files": sum(1 for p in app.rglob("*") if p.is_file() and not p.is_symlink()),
    "deb_bytes": Path(deb).stat().st_size,
    "msi_bytes": Path(msi).stat().st_size,
    "model_packs_bytes": {p.name: p.stat().st_size for p in sorted(Path(out).glob("*.tar"))},
    "build_app_seconds": int(t_app),
    "build_all_seconds": int(t_all),
}
smoke = Path(out) / "smoke-report.json"
if smoke.exists():
    report["smoke"] = json.loads(smoke.read_text())["timings_s"]
(Path(out) / "build-report.json").write_text(json.dumps(report, indent=2))
print(json.dumps(report, indent=2))
EOF
echo "Built into $OUT"
