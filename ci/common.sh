# Shared by ci/test and ci/boot: install what is missing, configure, build.
# Sourced, not run. BUILD_DIR may be set by the caller (default: build).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

capos_setup_and_build() {
  "$ROOT/ci/setup"
  # No CMAKE_BUILD_TYPE: the project sets its own flags per kind of target,
  # and a build type would add -DNDEBUG and turn assertions off.
  echo "ci: configuring $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja >/dev/null
  echo "ci: building"
  ninja -C "$BUILD_DIR" -j2 "$@"
}
