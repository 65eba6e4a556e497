#!/usr/bin/env bash
# Installs what `make run` and `make test` need and the machine lacks, from
# Debian's packages (root only) and the npm registry. PostgreSQL is handled
# by `opsight devdb`, which installs it on first use the same way.
#   infra/setup.sh node       Node.js >= 20.19 and npm (the dashboard build)
#   infra/setup.sh chromium   Debian's Chromium (the end-to-end test's browser)
#   infra/setup.sh prometheus Debian's Prometheus and promtool (collector tests)
#
# Debian 12 ships Node.js 18, older than Vite needs; then the official Node.js
# 20 binary is installed from the npm registry (package node-linux-<arch>)
# into .local/node, which the Makefile puts first on PATH.
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

# node_ok succeeds when the node on PATH is 20.19 or later.
node_ok() {
	node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null
}

NODE_VERSION=20.20.2
root=$(cd "$(dirname "$0")/.." && pwd)

case "${1:-}" in
node)
	if ! command -v npm >/dev/null; then
		apt_install nodejs npm
	fi
	if ! node_ok; then
		case "$(uname -m)" in
		x86_64) arch=x64 ;;
		aarch64) arch=arm64 ;;
		*) echo "setup: no Node.js build for $(uname -m); install Node.js 20.19+ yourself" >&2; exit 1 ;;
		esac
		echo "setup: installing Node.js $NODE_VERSION into .local/node (the system's is too old or missing)" >&2
		npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$root/.local/node" "node-linux-$arch@$NODE_VERSION" >&2
		mkdir -p "$root/.local/node/bin"
		ln -sf "$root/.local/node/node_modules/node-linux-$arch/bin/node" "$root/.local/node/bin/node"
		PATH="$root/.local/node/bin:$PATH" node_ok || { echo "setup: the installed Node.js does not run" >&2; exit 1; }
	fi
	;;
chromium)
	if [ ! -x /usr/bin/chromium ]; then
		apt_install chromium
	fi
	;;
prometheus)
	if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
		apt_install prometheus
	fi
	;;
*)
	echo "usage: infra/setup.sh node|chromium|prometheus" >&2
	exit 2
	;;
esac
