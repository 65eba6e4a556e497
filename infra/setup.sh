#!/usr/bin/env bash
# Installs what `make run` and `make test` need and the machine lacks, from
# Debian's packages (root only). PostgreSQL is handled by `opsight devdb`,
# which installs it on first use the same way.
#   infra/setup.sh node       Node.js >= 18 and npm (the dashboard build)
#   infra/setup.sh chromium   Debian's Chromium (the end-to-end test's browser)
set -euo pipefail

apt_install() {
	if [ "$(id -u)" != 0 ]; then
		echo "setup: $* missing; install it (sudo apt-get install $*) and run again" >&2
		exit 1
	fi
	if ! command -v apt-get >/dev/null; then
		echo "setup: $* missing and apt-get not found; install it with your package manager" >&2
		exit 1
	fi
	echo "setup: installing $* with apt-get" >&2
	log=$(mktemp)
	if { [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ] ||
		DEBIAN_FRONTEND=noninteractive apt-get update -q; } >"$log" 2>&1 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1; then
		rm -f "$log"
	else
		cat "$log" >&2
		echo "setup: installing $* failed (log above)" >&2
		exit 1
	fi
}

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

case "${1:-}" in
node)
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		apt_install nodejs npm
	fi
	if [ "$(node_major)" -lt 18 ]; then
		echo "setup: Node.js $(node --version) is too old; the dashboard build needs 18 or later" >&2
		exit 1
	fi
	;;
chromium)
	if [ ! -x /usr/bin/chromium ]; then
		apt_install chromium
	fi
	;;
*)
	echo "usage: infra/setup.sh node|chromium" >&2
	exit 2
	;;
esac
