#!/usr/bin/env bash
# Render one page of a bulletin to PNG so a person can look at it: the .pdf as written, or the .docx as
# LibreOffice prints it (a stand-in for Word; the official faces are missing here, so LibreOffice substitutes).
# Usage: scripts/render_bulletin_page.sh BULLETIN.pdf|BULLETIN.docx [PAGE=1] [OUT.png]   (DPI=110 by default)
# Needs pdftoppm (apt package poppler-utils; installed when missing and run as root) and, for a .docx,
# soffice (apt package libreoffice-writer).
set -euo pipefail
src="${1:?usage: $0 BULLETIN.pdf|BULLETIN.docx [PAGE] [OUT.png]}"
page="${2:-1}"
out="${3:-${src%.*}_p${page}.png}"
[ -f "$src" ] || { echo "render_bulletin_page: no such file: $src" >&2; exit 2; }
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
pdf="$src"
case "$src" in
  *.docx|*.DOCX)
    command -v soffice >/dev/null 2>&1 || {
      echo "render_bulletin_page: soffice is missing; as root run: apt-get install libreoffice-writer" >&2
      exit 3
    }
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    cp "$src" "$work/bulletin.docx"  # an ASCII name: soffice and the shell agree on it
    soffice --headless "-env:UserInstallation=file://$work/profile" --convert-to pdf --outdir "$work" \
      "$work/bulletin.docx" >/dev/null 2>&1
    pdf="$work/bulletin.pdf"
    [ -f "$pdf" ] || { echo "render_bulletin_page: LibreOffice could not convert $src" >&2; exit 4; }
    ;;
esac
pdftoppm -png -r "${DPI:-110}" -f "$page" -l "$page" -singlefile "$pdf" "${out%.png}"
echo "$out"
