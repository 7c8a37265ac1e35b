#!/usr/bin/env bash
# Installs the Debian packages iotcop needs, only those missing (idempotent).
#   scripts/install-deps.sh          build + run + demo
#   scripts/install-deps.sh --test   also what the test suite uses (real daemons, validators, browser)
#   scripts/install-deps.sh --bench  also the tools the benchmarks compare with (nmap, hydra, binwalk)
set -euo pipefail

build_pkgs=(
  cmake ninja-build g++ pkg-config make ccache
  nlohmann-json3-dev libcli11-dev libyaml-cpp-dev libfmt-dev
  libarchive-dev libsquashfs-dev liblzma-dev libzstd-dev liblz4-dev liblzo2-dev zlib1g-dev libbz2-dev
  libfdt-dev libyara-dev libssl-dev libcrypt-dev libsqlite3-dev
  # `vulndb update` downloads the public feeds (vuln module only)
  libcurl4-openssl-dev
  # live devices (libssh, libmosquitto), traffic captures (libpcap, nDPI), the team store (libpqxx)
  libssh-dev libmosquitto-dev libpcap-dev libndpi-dev libpqxx-dev libnftables-dev
  # the sample product is built from these
  squashfs-tools u-boot-tools busybox-static dropbear-bin openssl
  # make package: dpkg-shlibdeps computes the Debian packages' Depends
  dpkg-dev
  # the nvram shim of the emulated services, built for each architecture (src/emulate/shim/)
  clang lld
)
test_pkgs=(
  libgtest-dev clang libclang-rt-14-dev
  # the sources are clang-formatted (the Format test checks it with this version, 14)
  clang-format git
  # fixture generators for the firmware check tests (password hashes, PuTTY keys, SSH keys)
  whois putty-tools openssh-client
  # fixture generators for the unpacker tests
  mtd-utils genext2fs e2fsprogs genromfs util-linux device-tree-compiler cpio zip unzip p7zip-full xorriso lzop lz4 zstd bzip2 xz-utils
  # disk-image fixtures: FAT (mkfs.fat, mcopy), MBR/GPT (sfdisk, sgdisk), Android sparse and boot images
  dosfstools mtools fdisk gdisk android-sdk-libsparse-utils mkbootimg
  # real tools to compare against, validators and a browser for the HTML report
  chromium libxml2-utils devscripts binutils file checksec
  # crafted hostile archives in the unpacker tests
  time python3
  # real daemons for the live-device tests, real tools to compare the probes with
  lighttpd lighttpd-mod-openssl mosquitto mosquitto-clients vsftpd dropbear sslscan testssl.sh ssh-audit curl wget
  # assess --emulate: QEMU user mode for firmware of other architectures (tests/emulate/)
  qemu-user-static
  # UDP responders for the live-device tests: CoAP (coap-server), TFTP, mDNS (without D-Bus)
  libcoap3-bin atftpd avahi-daemon
  # an RTSP server for the probe-template tests: GStreamer's, from Python
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  # a rate-limiting firewall in the scan tests' own network namespace (nft rules there only)
  nftables
  # captures made by the traffic tests, and tshark to compare with
  tcpdump tshark
  # the PostgreSQL store tests start their own server
  postgresql
  # the Slurm test starts its own single-node cluster (controller, node daemon, munge, sbatch)
  slurmctld slurmd slurm-client munge
)
# Only the benchmarks (bench/*) compare against these.
bench_pkgs=(nmap hydra hyperfine binwalk)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--bench" ]]; then
  want+=("${test_pkgs[@]}" "${bench_pkgs[@]}")
fi
if [[ "${1:-}" == "--test" || "${1:-}" == "--bench" ]]; then
  want+=("${test_pkgs[@]}")
  # Node.js runs the validators; a machine that already has node and npm (from any source) keeps
  # them, since Debian's npm conflicts with other nodejs builds.
  if ! command -v npm >/dev/null 2>&1; then want+=(nodejs npm); fi
fi

missing=()
for p in "${want[@]}"; do
  [[ "$p" == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run instead of failing on its lock.
APT=($SUDO apt-get -o DPkg::Lock::Timeout=600)
log=$(mktemp)
if ! { "${APT[@]}" update -qq && "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-deps: apt-get failed (log above)" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
