#!/bin/sh
# Make sure the RISC-V cross compiler and QEMU are installed. Installs the
# Debian packages when it can (as root, or with sudo that needs no password);
# otherwise prints the one command to run and fails.
# "deps.sh graphviz" also wants Graphviz's dot, which make lock-graph draws with.
PKGS="gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu qemu-system-misc"
WANT_DOT=
if [ "$1" = graphviz ]; then
  PKGS="$PKGS graphviz"
  WANT_DOT=1
fi

have_cc() {
  command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 ||
    command -v riscv64-unknown-elf-gcc >/dev/null 2>&1
}
have_qemu() { command -v qemu-system-riscv64 >/dev/null 2>&1; }
have_dot() { [ -z "$WANT_DOT" ] || command -v dot >/dev/null 2>&1; }

have_cc && have_qemu && have_dot && exit 0

if [ "$(id -u)" = 0 ]; then
  SUDO=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "*** A build tool is missing (RISC-V cross compiler, QEMU or dot). Install them with:" >&2
  echo "***   sudo apt-get install $PKGS" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "*** A build tool is missing, and this is not a Debian or Ubuntu system." >&2
  echo "*** Install a riscv64 gcc, qemu-system-riscv64 (and Graphviz for lock-graph)." >&2
  exit 1
fi

echo "*** Installing $PKGS" >&2
$SUDO apt-get update -qq >&2 &&
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $PKGS >&2 ||
  { echo "*** apt-get failed; run: sudo apt-get install $PKGS" >&2; exit 1; }
have_cc && have_qemu && have_dot
