#!/usr/bin/env bash
# System packages the project needs beyond Python: CJK fonts so charts, PDFs and pages render Chinese
# (without them every 汉字 becomes a box: WenQuanYi for charts, Noto CJK serif/sans for documents),
# poppler-utils to render PDFs to images and read their text in tests, LibreOffice (no GUI) to render the
# docx and xlsx people receive, and Chromium for the real-browser checks of the Prefect UI.
# Idempotent; needs root for apt-get, says so otherwise.
set -euo pipefail
missing=()
fc-list 2>/dev/null | grep -qi "wqy" || missing+=(fonts-wqy-microhei fontconfig)
fc-list 2>/dev/null | grep -qi "noto serif cjk" || missing+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -e /usr/lib/libreoffice/program/libswlo.so ] || missing+=(libreoffice-writer-nogui)
[ -e /usr/lib/libreoffice/program/libsclo.so ] || missing+=(libreoffice-calc-nogui)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: missing ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
