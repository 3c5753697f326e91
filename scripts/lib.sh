# Shared settings for the scripts in this directory. Source it, do not run it:
#   . "$(dirname "$0")/lib.sh"
# It sets variables for the sourcing script only; nothing is written to the
# user's shell profile.

ROUNDBOOK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROUNDBOOK_ROOT

# Build output lives outside the clone so fresh clones (CI) reuse it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/roundbook/target}"

# The built web app (gitignored).
export ROUNDBOOK_DIST="${ROUNDBOOK_DIST:-$ROUNDBOOK_ROOT/dist}"

# npm-installed tools (wasm-opt from the `binaryen` package, playwright-core, ...)
# live in tests/node_modules: see tests/package.json.
ROUNDBOOK_NODE_BIN="$ROUNDBOOK_ROOT/tests/node_modules/.bin"
export ROUNDBOOK_NODE_BIN

# `cargo install` puts wasm-bindgen here.
case ":$PATH:" in
  *":$HOME/.cargo/bin:"*) ;;
  *) export PATH="$HOME/.cargo/bin:$PATH" ;;
esac

# The wasm-bindgen version pinned in Cargo.lock (the CLI must match it exactly).
roundbook_wasm_bindgen_version() {
  awk '
    /^\[\[package\]\]/ { name = "" }
    /^name = / { name = $3; gsub(/"/, "", name) }
    /^version = / && name == "wasm-bindgen" { v = $3; gsub(/"/, "", v); print v; exit }
  ' "$ROUNDBOOK_ROOT/Cargo.lock"
}

# Prints a step heading.
step() {
  printf '==> %s\n' "$*"
}

# Prints an error and exits.
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}
