#!/usr/bin/env bash
# System packages the project needs beyond Python: a CJK font so charts and PDFs render Chinese
# (without it every 汉字 becomes a box). Idempotent; needs root for apt-get, says so otherwise.
set -euo pipefail
if fc-list 2>/dev/null | grep -qi -E "wqy|noto.*cjk|source han"; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: a CJK font is missing; run as root: apt-get install fonts-wqy-microhei fontconfig" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq --no-install-recommends fonts-wqy-microhei fontconfig >/dev/null
fc-cache -f >/dev/null 2>&1 || true
