#!/usr/bin/env bash
# Render one page of a bulletin PDF to PNG so a person can check that the Chinese text renders.
# Usage: scripts/render_bulletin_page.sh BULLETIN.pdf [PAGE=1] [OUT.png]
# Needs pdftoppm (apt package poppler-utils); installs it when missing and run as root.
set -euo pipefail
pdf="${1:?usage: $0 BULLETIN.pdf [PAGE] [OUT.png]}"
page="${2:-1}"
out="${3:-${pdf%.pdf}_p${page}.png}"
[ -f "$pdf" ] || { echo "render_bulletin_page: no such file: $pdf" >&2; exit 2; }
if ! command -v pdftoppm >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || true
    apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null
  else
    echo "render_bulletin_page: pdftoppm is missing; as root run: apt-get install poppler-utils" >&2
    exit 3
  fi
fi
pdftoppm -png -r "${DPI:-110}" -f "$page" -l "$page" -singlefile "$pdf" "${out%.png}"
echo "$out"
