#!/usr/bin/env bash
# Installs what Booth needs to build, run and test on Debian (idempotent, fast when done).
set -euo pipefail

need_apt=()
want=(build-essential pkg-config libssl-dev openssl curl file iproute2 python3
      libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
      chromium chromium-driver xvfb xauth webkit2gtk-driver dbus-daemon dbus-bin gnome-keyring)
# The update feed tests check Tauri's signatures with minisign itself.
want+=(minisign)
# The stamped PDF tests read the stamp back with poppler's pdftotext and check the files,
# their outlines and links with qpdf.
want+=(qpdf poppler-utils)
# The window's UI builds with Node.js 18 or newer; Debian's is fine, a newer one is kept.
command -v node >/dev/null 2>&1 || want+=(nodejs)
command -v npm >/dev/null 2>&1 || want+=(npm)
for p in "${want[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# The tests' real SMTP server is aiosmtpd (PyPI); Debian packages it too, for a python3
# that refuses pip installs.
if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check aiosmtpd 2>/dev/null \
    || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-aiosmtpd >/dev/null
  python3 -c 'import aiosmtpd'
fi

# The DKIM test verifies signatures with dkimpy.
if ! python3 -c 'import dkim' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check dkimpy 2>/dev/null \
    || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-dkim >/dev/null
  python3 -c 'import dkim'
fi

# The license tests check Ed25519 license files with Python's cryptography, as an app would.
if ! python3 -c 'import cryptography' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check cryptography 2>/dev/null \
    || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-cryptography >/dev/null
  python3 -c 'import cryptography'
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "Booth needs a Rust toolchain (1.85 or newer): https://rustup.rs" >&2
  exit 1
fi
# Formatting and lints (test.sh builds the tests with clippy-driver).
if command -v rustup >/dev/null 2>&1 && ! rustup which clippy-driver >/dev/null 2>&1; then
  rustup component add clippy rustfmt
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "Booth's window needs Node.js 18 or newer to build its UI; this is $(node --version)." >&2
  exit 1
fi

# The UI's packages (Svelte, Vite, Vitest, the Tauri CLI), when the lock file changed.
if [ ! ui/node_modules/.package-lock.json -nt ui/package-lock.json ]; then
  echo "Installing the UI's npm packages"
  # `install`, not `ci`: some npm setups leave other platforms' optional packages out of
  # the lock file, which `ci` then refuses; the lock still pins every version used here.
  npm --prefix ui install --no-audit --no-fund --loglevel=error
fi

# scripts/test.sh runs the tests with cargo-nextest (crates.io).
if ! command -v cargo-nextest >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo-nextest" ]; then
  echo "Installing cargo-nextest"
  cargo install cargo-nextest --locked --quiet
fi

# The desktop tests drive the real window through tauri-driver (crates.io).
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  echo "Installing tauri-driver"
  cargo install tauri-driver --locked --version '^2' --quiet
fi

# The tunnel tests run a real bore relay and client on loopback (crates.io: bore-cli).
if ! command -v bore >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/bore" ]; then
  echo "Installing bore"
  cargo install bore-cli --locked --version '^0.6' --quiet
fi

# The object-storage tests run a real S3-compatible server on loopback: s3s-fs (crates.io,
# the s3s project), which checks every request's SigV4 signature.
if ! command -v s3s-fs >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs" ]; then
  echo "Installing s3s-fs"
  cargo install s3s-fs --locked --version '^0.14' --features binary --quiet
fi
