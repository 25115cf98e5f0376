#!/usr/bin/env bash
# Checks (and, as root on Debian/Ubuntu, installs) the system packages the app needs.
#   scripts/check_system.sh            WeasyPrint's libraries (Pango, HarfBuzz subsetting)
#   scripts/check_system.sh --browser  also Debian's chromium for the browser tests
set -euo pipefail

need=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

have_lib "libpango-1.0.so.0" || need+=(libpango-1.0-0)
have_lib "libpangoft2-1.0.so.0" || need+=(libpangoft2-1.0-0)
# Not required, but makes WeasyPrint's font subsetting (and so every PDF) several times faster.
have_lib "libharfbuzz-subset.so.0" || need+=(libharfbuzz-subset0)
if [ "${1:-}" = "--browser" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v pdftoppm >/dev/null || need+=(poppler-utils)
fi

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi

echo "Missing system packages: ${need[*]}" >&2
echo "Install them with:  sudo apt-get install ${need[*]}" >&2
exit 1
