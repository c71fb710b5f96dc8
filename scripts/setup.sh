#!/usr/bin/env bash
# Set up everything eGov needs on this machine: Debian packages (when run as root on
# Debian/Ubuntu; otherwise print the exact apt-get line and stop), uv, and the virtual
# environment from uv.lock.
#   scripts/setup.sh          runtime packages (the demo)
#   scripts/setup.sh --test   runtime + test packages (the test suite)
set -euo pipefail
cd "$(dirname "$0")/.."

# Runtime: fonts with every Vietnamese letter, PDF tools, WeasyPrint's Pango, LibreOffice for
# .docx → PDF, PKCS#11 (SoftHSM2/OpenSC) and NSS tools for signature checks. HarfBuzz-Subset
# lets WeasyPrint subset fonts itself (without it, it warns on every PDF it writes).
RUNTIME_PKGS=(fonts-liberation2 poppler-utils libpango-1.0-0 libpangoft2-1.0-0
  libharfbuzz-subset0 libreoffice-writer-nogui softhsm2 opensc libnss3-tools)
# Tests: Debian's Chromium for Playwright, zbar for reading QR codes back, gettext for the
# translation-completeness test, Dovecot's IMAP server (the petitions mailbox tests start their
# own unprivileged instance on loopback).
TEST_PKGS=(chromium zbar-tools gettext dovecot-imapd)

want=("${RUNTIME_PKGS[@]}")
if [ "${1:-}" = "--test" ]; then want+=("${TEST_PKGS[@]}"); fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${want[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # When another apt or dpkg runs (unattended upgrades, a second set-up), wait for its lock
    # (up to EGOV_APT_LOCK_TIMEOUT seconds) instead of failing at once.
    lock=(-o "DPkg::Lock::Timeout=${EGOV_APT_LOCK_TIMEOUT:-600}")
    apt-get "${lock[@]}" update -qq
    apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "eGov needs these system packages. Run, as root:" >&2
    echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "==> Installing uv with pip"
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv \
    || python3 -m pip install --quiet --break-system-packages uv
  export PATH="$HOME/.local/bin:$PATH"
fi

echo "==> Python environment (uv sync --frozen)"
uv sync --frozen --quiet
