#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium and the DejaVu fonts used by chart rendering.
# Idempotent: exits 0 at once when chromium and the fonts are already present.
# Runs as root (no sudo). Used by the test task before the report screenshot test.
set -euo pipefail

font_file=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

have_chromium() {
  command -v chromium >/dev/null 2>&1
}

if have_chromium && [ -f "$font_file" ]; then
  echo "setup_chromium: chromium ($(command -v chromium)) and DejaVu fonts already present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup_chromium: chromium or fonts missing and not running as root; cannot apt-get install" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium fonts-dejavu-core

if ! have_chromium; then
  echo "setup_chromium: apt-get finished but 'chromium' is still not on PATH" >&2
  exit 1
fi
echo "setup_chromium: installed $(chromium --version 2>/dev/null || echo chromium)"
