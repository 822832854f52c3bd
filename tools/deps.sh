#!/bin/sh
# Make sure the RISC-V cross compiler and QEMU are installed, and with the
# argument "plot" also gnuplot (for make bench's plots). Installs the Debian
# packages when it can (as root, or with sudo that needs no password);
# otherwise prints the one command to run and fails.
PKGS="gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu qemu-system-misc"

have_cc() {
  command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 ||
    command -v riscv64-unknown-elf-gcc >/dev/null 2>&1
}
have_qemu() { command -v qemu-system-riscv64 >/dev/null 2>&1; }
have_all() { have_cc && have_qemu; }

if [ "$1" = plot ]; then
  PKGS="gnuplot-nox"
  have_all() { command -v gnuplot >/dev/null 2>&1; }
fi

have_all && exit 0

if [ "$(id -u)" = 0 ]; then
  SUDO=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "*** Missing packages. Install them with:" >&2
  echo "***   sudo apt-get install $PKGS" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "*** Missing packages ($PKGS), and this is not a Debian or Ubuntu" >&2
  echo "*** system. Install a riscv64 gcc, qemu-system-riscv64 and gnuplot." >&2
  exit 1
fi

echo "*** Installing $PKGS" >&2
$SUDO apt-get update -qq >&2 &&
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $PKGS >&2 ||
  { echo "*** apt-get failed; run: sudo apt-get install $PKGS" >&2; exit 1; }
have_all
