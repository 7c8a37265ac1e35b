#!/usr/bin/env bash
# make-sample-firmware.sh OUTDIR
#
# Builds the bundled iotcop demo product: a small, DELIBERATELY INSECURE
# "IP camera" firmware image, put together only from files shipped by Debian
# packages plus the text files and public test keys under samples/camera/.
#
# Output: OUTDIR/sample-camera.uimage (U-Boot legacy image wrapping an
# xz-compressed SquashFS root filesystem); OUTDIR/rootfs.squashfs is left
# beside it. The build is reproducible: running it twice gives byte-identical
# files. The path of the uImage is the only thing printed on stdout.
#
# The planted problems are listed, with the ETSI EN 303 645 provision each
# one breaks, in samples/README.md. Never flash this onto real hardware.

set -euo pipefail

usage() {
    echo "usage: $0 OUTDIR" >&2
    echo "  builds OUTDIR/sample-camera.uimage (deliberately insecure sample firmware)" >&2
}

if [[ $# -ne 1 || -z "$1" || "$1" == -* ]]; then
    usage
    exit 2
fi

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
SAMPLE_DIR="$REPO_DIR/samples/camera"
KEY_DIR="$SAMPLE_DIR/keys"

NAME="iotcop sample camera"
VERSION="1.0"

# Host files this script takes from Debian packages.
BUSYBOX=/bin/busybox
DROPBEAR=/usr/sbin/dropbear
DROPBEARKEY=/usr/bin/dropbearkey

# --- 1. preflight: every needed command, and the Debian package shipping it --
missing=()
need_pkg() { # need_pkg PACKAGE: add PACKAGE to the missing list once
    local p
    for p in "${missing[@]+"${missing[@]}"}"; do [[ "$p" == "$1" ]] && return 0; done
    missing+=("$1")
}
need_cmd() { # need_cmd COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 || need_pkg "$2"
}
need_file() { # need_file PATH PACKAGE
    [[ -x "$1" ]] || need_pkg "$2"
}

need_file "$BUSYBOX"     busybox-static
need_file "$DROPBEAR"    dropbear-bin
need_file "$DROPBEARKEY" dropbear-bin
need_cmd  mksquashfs     squashfs-tools
need_cmd  mkimage        u-boot-tools
need_cmd  openssl        openssl
need_cmd  ldd            libc-bin

if [[ ${#missing[@]} -gt 0 ]]; then
    echo "error: missing Debian package(s): ${missing[*]} (install with: apt-get install ${missing[*]})" >&2
    exit 2
fi

# Debian's plain "busybox" package also ships a /bin/busybox, but linked
# against libc; the sample needs the standalone one from busybox-static.
if ldd "$BUSYBOX" >/dev/null 2>&1; then
    echo "error: missing Debian package: busybox-static ($BUSYBOX is dynamically linked; install with: apt-get install busybox-static)" >&2
    exit 2
fi

for f in camera-web.key camera-web.crt dropbear_rsa_host_key; do
    if [[ ! -f "$KEY_DIR/$f" ]]; then
        echo "error: $KEY_DIR/$f is missing (it is committed with the repository)" >&2
        exit 2
    fi
done

# Supported mksquashfs options (squashfs-tools >= 4.4 has all of them).
SQFS_OPTS=(-comp xz)
sqfs_help=$(mksquashfs -help 2>&1 || true)
for opt in -all-root -noappend -no-xattrs -quiet; do
    if grep -q -- "^$opt" <<<"$sqfs_help"; then SQFS_OPTS+=("$opt"); fi
done
for opt in -mkfs-time -all-time; do
    if grep -q -- "^$opt" <<<"$sqfs_help"; then SQFS_OPTS+=("$opt" 0); fi
done
# One compressor thread: block order can then never depend on scheduling.
if grep -q -- "^-processors" <<<"$sqfs_help"; then SQFS_OPTS+=(-processors 1); fi
# Device nodes as pseudo files, so the build needs no mknod privilege.
if grep -q -- "^-p " <<<"$sqfs_help"; then
    SQFS_OPTS+=(-p "dev/console c 600 0 0 5 1" -p "dev/null c 666 0 0 1 3")
fi

# --- 2. output and work directories -------------------------------------------
OUTDIR_ARG=$1
mkdir -p "$OUTDIR_ARG"
OUTDIR=$(cd "$OUTDIR_ARG" && pwd)
SQUASHFS="$OUTDIR/rootfs.squashfs"
UIMAGE="$OUTDIR/sample-camera.uimage"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/iotcop-sample.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ROOT="$WORK/rootfs"
umask 022
mkdir -p "$ROOT"
chmod 0755 "$ROOT"   # mktemp's 0700 would otherwise become the image's /

# put MODE DEST: write stdin to ROOT/DEST with MODE
put() {
    local mode=$1 dest="$ROOT/$2"
    mkdir -p "$(dirname "$dest")"
    cat >"$dest"
    chmod "$mode" "$dest"
}
# copy MODE SRC DEST: copy a host file (following symlinks) to ROOT/DEST
copy() {
    local mode=$1 src=$2 dest="$ROOT/$3"
    mkdir -p "$(dirname "$dest")"
    cp -L "$src" "$dest"
    chmod "$mode" "$dest"
}

# --- 3. layout ------------------------------------------------------------------
for d in bin sbin etc etc/init.d etc/dropbear etc/ssl/certs etc/ssl/private \
         usr/bin usr/sbin lib var var/run var/log tmp www www/cgi-bin \
         dev proc sys root; do
    mkdir -p "$ROOT/$d"
    chmod 0755 "$ROOT/$d"
done
chmod 1777 "$ROOT/tmp"
chmod 0700 "$ROOT/root" "$ROOT/etc/ssl/private"

# --- 4. BusyBox and its applets -------------------------------------------------
copy 0755 "$BUSYBOX" bin/busybox

# Applet links in the places BusyBox's own "make install" puts them.
bin_applets=(sh ash ls cat cp mv rm mkdir rmdir ln chmod chown echo grep sed
             ps kill sleep mount umount dmesg date df hostname login vi
             touch sync uname)
sbin_applets=(ifconfig route getty reboot poweroff halt udhcpc syslogd
              klogd nologin)
usr_bin_applets=(wget tftp killall top free uptime which awk head tail)
usr_sbin_applets=(telnetd httpd crond)

for a in "${bin_applets[@]}";      do ln -s busybox          "$ROOT/bin/$a"; done
for a in "${sbin_applets[@]}";     do ln -s ../bin/busybox    "$ROOT/sbin/$a"; done
for a in "${usr_bin_applets[@]}";  do ln -s ../../bin/busybox "$ROOT/usr/bin/$a"; done
for a in "${usr_sbin_applets[@]}"; do ln -s ../../bin/busybox "$ROOT/usr/sbin/$a"; done
ln -s ../bin/busybox "$ROOT/sbin/init"
ln -s bin/busybox "$ROOT/linuxrc"

# --- 5. Dropbear and the shared libraries it needs ------------------------------
copy 0755 "$DROPBEAR"    usr/sbin/dropbear
copy 0755 "$DROPBEARKEY" usr/bin/dropbearkey

# Every absolute path ldd names (libraries and the ELF loader), copied to the
# same path inside the image so the binaries' PT_INTERP and search path hold.
libs=$( { ldd "$DROPBEAR"; ldd "$DROPBEARKEY"; } \
        | grep -o '/[^ ]*' | sort -u )
for lib in $libs; do
    [[ -e "$lib" ]] || continue
    copy 0755 "$lib" "${lib#/}"
done

# --- 6. identity ----------------------------------------------------------------
put 0644 etc/version <<EOF
$NAME $VERSION
EOF

put 0644 etc/os-release <<EOF
NAME="$NAME"
VERSION="$VERSION"
ID=iotcop-sample-camera
VERSION_ID=$VERSION
PRETTY_NAME="$NAME $VERSION"
HOME_URL="https://www.example-camera.invalid/"
EOF

put 0644 etc/hostname <<'EOF'
ipcam
EOF

put 0644 etc/hosts <<'EOF'
127.0.0.1	localhost
127.0.1.1	ipcam ipcam.local
EOF

# --- 7. accounts: root with a default Mirai-list password -----------------------
# Fixed salt, so the hash (and the image) is the same on every build.
ROOT_HASH=$(openssl passwd -6 -salt iotcopsample admin)

put 0644 etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
www:x:33:33:web server:/www:/sbin/nologin
guest:x:1000:1000:guest:/tmp:/bin/sh
EOF

put 0644 etc/group <<'EOF'
root:x:0:
www:x:33:
guest:x:1000:
EOF

# 19358 days after the epoch = 2023-01-01.
put 0600 etc/shadow <<EOF
root:$ROOT_HASH:19358:0:99999:7:::
www:*:19358:0:99999:7:::
guest:!:19358:0:99999:7:::
EOF

put 0644 etc/shells <<'EOF'
/bin/sh
/bin/ash
EOF

put 0644 etc/profile <<'EOF'
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PS1='ipcam# '
EOF

# --- 8. boot: serial shell without login, telnet shell, services ----------------
put 0644 etc/inittab <<'EOF'
# /etc/inittab - BusyBox init
::sysinit:/etc/init.d/rcS
ttyS0::respawn:/bin/sh
::ctrlaltdel:/sbin/reboot
#::respawn:/usr/sbin/debugd
EOF

put 0755 etc/init.d/rcS <<'EOF'
#!/bin/sh
# /etc/init.d/rcS - boot script of the iotcop sample camera

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=1777 tmpfs /tmp
mkdir -p /var/run /var/log

hostname -F /etc/hostname
ifconfig lo 127.0.0.1 up
udhcpc -b -i eth0 -p /var/run/udhcpc.pid

syslogd
klogd

# remote support shell for the factory line
telnetd -l /bin/sh

# web interface
httpd -h /www -p 80

# SSH for the installer app
/usr/sbin/dropbear -r /etc/dropbear/dropbear_rsa_host_key

# TFTP recovery, disabled for production
# /usr/sbin/tftpd -l /tmp

# firmware updates from the cloud
/usr/sbin/fw-update &
EOF

# --- 9. updates: plain HTTP, no signature check ---------------------------------
put 0755 usr/sbin/fw-update <<'EOF'
#!/bin/sh
# fw-update - fetch the newest firmware from the vendor and flash it

URL=http://update.example-camera.invalid/firmware/latest.bin
IMAGE=/tmp/latest.bin

while true; do
    if wget -q -O "$IMAGE" "$URL"; then
        mtd write "$IMAGE" firmware && reboot
    fi
    rm -f "$IMAGE"
    sleep 86400
done
EOF

put 0600 etc/cloud.conf <<'EOF'
# cloud connection of the camera
mqtt_url=mqtt://cloud.example-camera.invalid:1883
mqtt_client_id=ipcam
api_token=sk_live_IOTCOPSAMPLE0000000000000000
video_upload=http://cloud.example-camera.invalid/upload
EOF

# --- 10. key material baked into every unit -------------------------------------
copy 0600 "$KEY_DIR/camera-web.key"        etc/ssl/private/camera-web.key
copy 0644 "$KEY_DIR/camera-web.crt"        etc/ssl/certs/camera-web.crt
copy 0600 "$KEY_DIR/dropbear_rsa_host_key" etc/dropbear/dropbear_rsa_host_key

# --- 11. web root: no /.well-known/security.txt anywhere -----------------------
put 0644 www/index.html <<EOF
<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>IP Camera</title></head>
<body>
<h1>IP Camera</h1>
<p>$NAME $VERSION</p>
<p><a href="/cgi-bin/">Live view</a></p>
</body>
</html>
EOF

# --- 12. pack -------------------------------------------------------------------
rm -f "$SQUASHFS" "$UIMAGE"
mksquashfs "$ROOT" "$SQUASHFS" "${SQFS_OPTS[@]}" >/dev/null
chmod 0644 "$SQUASHFS"

SOURCE_DATE_EPOCH=0 mkimage -A arm -O linux -T filesystem -C none \
    -n "$NAME $VERSION" -d "$SQUASHFS" "$UIMAGE" >/dev/null
chmod 0644 "$UIMAGE"

echo "$UIMAGE"
