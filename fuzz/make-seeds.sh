#!/usr/bin/env bash
# Writes fuzzing seeds, one folder per handler id, built with the Debian tools from a small tree.
set -euo pipefail
out=${1:?usage: fuzz/make-seeds.sh DIR}
mkdir -p "$out"; out=$(cd "$out" && pwd)
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
mkdir -p "$t/src/etc" "$t/src/bin"
printf 'root:x:0:0::/root:/bin/sh\n' >"$t/src/etc/passwd"; head -c 3000 /bin/ls >"$t/src/bin/prog"
ln -s prog "$t/src/bin/link"
for id in uimage tplink squashfs squashfs3 jffs2 cpio tar zip 7z iso9660 gzip xz lzma bzip2 zstd lz4 trx lzop \
  ext cramfs romfs fit ubi ubifs yaffs2 vmlinux linksys shrs chk seama xiaomi ihex srec espimage esppart rtos \
  tplink_safeloader dahua encrpted_img openssl_salted; do mkdir -p "$out/$id"; done
tar -C "$t/src" -cf "$out/tar/a.tar" .
(cd "$t/src" && find . | cpio -o -H newc --quiet) >"$out/cpio/newc.cpio"
(cd "$t/src" && find . | cpio -o -H odc --quiet) >"$out/cpio/odc.cpio"
(cd "$t/src" && zip -qry "$out/zip/a.zip" .)
command -v 7z >/dev/null && (cd "$t/src" && 7z a -snl -bd "$out/7z/a.7z" . >/dev/null)
command -v xorriso >/dev/null && xorriso -as mkisofs -quiet -R -o "$out/iso9660/a.iso" "$t/src" 2>/dev/null
for c in gzip xz lzo lz4 zstd; do
  mksquashfs "$t/src" "$out/squashfs/$c.sqfs" -comp $c -noappend -quiet -no-progress >/dev/null
done
mkfs.jffs2 -l -r "$t/src" -o "$out/jffs2/le.jffs2"; mkfs.jffs2 -b -r "$t/src" -o "$out/jffs2/be.jffs2"
# JFFS2 with LZMA nodes (no Debian tool writes them): an uncompressed mkfs.jffs2 image whose data
# nodes are rewritten as OpenWrt's id 0x08 (raw LZMA1, lc=0 lp=0 pb=0, 8 KiB dictionary; Python's
# encoder adds the end marker, which the handler accepts at the node's dsize).
mkfs.jffs2 -b -x zlib -x rtime -r "$t/src" -o "$t/stored.jffs2"
python3 - "$t/stored.jffs2" "$out/jffs2/lzma-be.jffs2" <<'PY'
import lzma, struct, sys, zlib
crc = lambda b: ~zlib.crc32(b, 0xffffffff) & 0xffffffff  # the kernel's crc32_le(0, b)
d = open(sys.argv[1], 'rb').read(); out = bytearray(); pos = 0
while pos + 12 <= len(d):
    magic, typ, tot, hcrc = struct.unpack_from('>HHII', d, pos)
    if magic != 0x1985 or crc(d[pos:pos + 8]) != hcrc or tot < 12 or pos + tot > len(d):
        pos += 4; continue
    n = bytearray(d[pos:pos + tot]); pos += (tot + 3) & ~3
    if typ == 0xe002 and n[56] == 0 and struct.unpack_from('>I', n, 20)[0] & 0o170000 == 0o100000:
        z = lzma.compress(bytes(n[68:]), format=lzma.FORMAT_RAW, filters=[{'id': lzma.FILTER_LZMA1,
            'preset': 9, 'dict_size': 8192, 'lc': 0, 'lp': 0, 'pb': 0, 'nice_len': 273}])
        if 0 < len(z) < len(n) - 68:
            n = n[:68] + z; n[56] = 0x08
            struct.pack_into('>I', n, 4, len(n)); struct.pack_into('>I', n, 8, crc(n[:8]))
            struct.pack_into('>I', n, 48, len(z)); struct.pack_into('>I', n, 60, crc(z))
            struct.pack_into('>I', n, 64, crc(n[:60]))
    out += n + b'\xff' * (-len(n) % 4)
open(sys.argv[2], 'wb').write(out)
PY
gzip -c "$out/tar/a.tar" >"$out/gzip/a.gz"; xz -c "$out/tar/a.tar" >"$out/xz/a.xz"
xz --format=lzma -c "$out/tar/a.tar" >"$out/lzma/a.lzma"; bzip2 -c "$out/tar/a.tar" >"$out/bzip2/a.bz2"
zstd -q -c "$out/tar/a.tar" >"$out/zstd/a.zst"; lz4 -q -c "$out/tar/a.tar" >"$out/lz4/a.lz4"
lz4 -l -q -c "$out/tar/a.tar" >"$out/lz4/legacy.lz4"
command -v lzop >/dev/null && lzop -c "$out/tar/a.tar" >"$out/lzop/a.lzo"
mkimage -T filesystem -C none -d "$out/squashfs/xz.sqfs" "$out/uimage/fs.uimage" >/dev/null
mkimage -T multi -C lzma -d "$out/lzma/a.lzma:$out/squashfs/gzip.sqfs" "$out/uimage/multi.uimage" >/dev/null
# A TP-Link v1 header (layout of OpenWrt's mktplinkfw) over an LZMA kernel and a SquashFS.
python3 - "$out/lzma/a.lzma" "$out/squashfs/xz.sqfs" "$out/tplink/v1.bin" <<'PY'
import struct, sys
k = open(sys.argv[1], 'rb').read(); fs = open(sys.argv[2], 'rb').read()
h = bytearray(0x200)
struct.pack_into('>I', h, 0, 1); h[4:11] = b'TP-LINK'; h[28:33] = b'ver1.'
body = k + fs
struct.pack_into('>IIIII', h, 0x7c, 0x200 + len(body), 0x200, len(k), 0x200 + len(k), len(fs))
open(sys.argv[3], 'wb').write(bytes(h) + body)
PY
python3 - "$out/lzma/a.lzma" "$out/squashfs/xz.sqfs" "$out/trx/a.trx" <<'PY'
import struct, sys, zlib
k = open(sys.argv[1], 'rb').read(); f = open(sys.argv[2], 'rb').read()
k += bytes(-len(k) % 4); b = k + f; n = 28 + len(b)
h = bytearray(struct.pack('<4sIIHHIII', b'HDR0', n, 0, 0, 1, 28, 28 + len(k), 0))
struct.pack_into('<I', h, 8, zlib.crc32(bytes(h[12:]) + b) ^ 0xffffffff)
open(sys.argv[3], 'wb').write(bytes(h) + b)
PY
# SquashFS 3 (no Debian tool writes it): a small 3.1 image in both byte orders and with the
# sqlzma magic; the test writer (tests/unpack/integration/unpack_squashfs3_test.cc) covers the rest.
python3 - "$out/squashfs3" <<'PY'
import sys, zlib
# SquashFS 3.1 (zlib, 4 KiB blocks): a root with etc/ (passwd: a fragment tail; prog: a block and a
# tail), a symlink and a character device, in the byte order asked; bitfields packed from the least
# (little endian) or most (big endian) significant bit, as the Linux 2.6 squashfs_fs.h describes.
def image(big):
    def bits(n, fields):
        v = 0
        for pos, ln, x in fields:
            v |= (x & ((1 << ln) - 1)) << ((8 * n - pos - ln) if big else pos)
        return v.to_bytes(n, 'big' if big else 'little')
    def meta(b):
        c = zlib.compress(b, 9)
        return (bits(2, [(0, 16, len(c))]) + c) if len(c) < len(b) else bits(2, [(0, 16, len(b) | 0x8000)]) + b
    bs, out, frag = 4096, bytearray(119), b''
    prog = open('/bin/ls', 'rb').read(5000); pw = b'root:x:0:0::/root:/bin/sh\n'
    blk = zlib.compress(prog[:bs], 9); prog_at = len(out); out += blk
    pw_off, prog_off = 0, len(pw); frag = pw + prog[bs:]
    fc = zlib.compress(frag, 9); frag_at = len(out); out += fc
    base = lambda t, mode, ino: [(0, 4, t), (4, 12, mode), (16, 8, 0), (24, 8, 255), (32, 32, 0), (64, 32, ino)]
    ino = b''; ref = {}
    def add(name, b):
        nonlocal ino
        ref[name] = len(ino); ino += b
    add('passwd', bits(32, base(2, 0o644, 1) + [(96, 64, 0), (160, 32, 0), (192, 32, pw_off), (224, 32, len(pw))]))
    add('prog', bits(32, base(2, 0o755, 2) + [(96, 64, prog_at), (160, 32, 0), (192, 32, prog_off), (224, 32, len(prog))]) + bits(4, [(0, 32, len(blk))]))
    def listing(names):
        h = bits(9, [(0, 8, len(names) - 1), (8, 32, 0), (40, 32, 1)])
        for n, t in names:
            h += bits(5, [(0, 13, ref[n]), (13, 3, t), (16, 8, len(n) - 1), (24, 16, 0)]) + n.encode()
        return h
    etc_list = listing([('passwd', 2), ('prog', 2)])
    add('etc', bits(28, base(1, 0o755, 3) + [(96, 32, 2), (128, 19, len(etc_list) + 3), (147, 13, 0), (160, 32, 0), (192, 32, 6)]))
    add('link', bits(18, base(3, 0o777, 4) + [(96, 32, 1), (128, 16, 8)]) + b'etc/prog')
    add('console', bits(18, base(5, 0o600, 5) + [(96, 32, 1), (128, 16, (5 << 8) | 1)]))
    root_list = listing([('console', 5), ('etc', 1), ('link', 3)])
    add('root', bits(28, base(1, 0o755, 6) + [(96, 32, 3), (128, 19, len(root_list) + 3), (147, 13, len(etc_list)), (160, 32, 0), (192, 32, 7)]))
    inode_at = len(out); out += meta(ino)
    dir_at = len(out); out += meta(etc_list + root_list)
    fe_at = len(out); out += meta(bits(16, [(0, 64, frag_at), (64, 32, len(fc))]))
    fi_at = len(out); out += bits(8, [(0, 64, fe_at)])
    uid_at = len(out); out += bits(4, [(0, 32, 0)])
    sb = bits(119, [(0, 32, 0x73717368), (32, 32, 6), (224, 16, 3), (240, 16, 1), (256, 16, bs), (272, 16, 12),
                    (296, 8, 1), (344, 64, ref['root']), (408, 32, bs), (440, 32, 1), (504, 64, len(out)),
                    (568, 64, uid_at), (632, 64, 0), (696, 64, inode_at), (760, 64, dir_at), (824, 64, fi_at),
                    (888, 64, (1 << 64) - 1)])
    out[0:119] = sb
    return bytes(out)
le, be = image(False), image(True)
open(sys.argv[1] + '/le.sq3', 'wb').write(le); open(sys.argv[1] + '/be.sq3', 'wb').write(be)
open(sys.argv[1] + '/shsq.sq3', 'wb').write(b'shsq' + le[4:])
PY
# Filesystem handlers (ext, cramfs, romfs, fit, ubi, ubifs).
mke2fs -q -F -t ext4 -b 1024 -d "$t/src" "$out/ext/ext4.img" 1M
mke2fs -q -F -t ext2 -b 1024 -d "$t/src" "$out/ext/ext2.img" 1M
mkfs.cramfs "$t/src" "$out/cramfs/le.cramfs" >/dev/null
mkfs.cramfs -N big "$t/src" "$out/cramfs/be.cramfs" >/dev/null
command -v genromfs >/dev/null && genromfs -d "$t/src" -f "$out/romfs/a.romfs"
# Small-page NAND geometry (512-byte pages, 16 KiB blocks) keeps these seeds near 200 KiB.
mkfs.ubifs -r "$t/src" -m 512 -e 15872 -c 40 -x lzo -o "$out/ubifs/lzo.ubifs"
printf '[v]\nmode=ubi\nimage=%s\nvol_id=0\nvol_type=dynamic\nvol_name=v\n' "$out/ubifs/lzo.ubifs" >"$t/u.ini"
ubinize -o "$out/ubi/a.ubi" -p 16KiB -m 512 "$t/u.ini" >/dev/null 2>&1
printf '/dts-v1/;\n/ { description = "s"; #address-cells = <1>; images { a { description = "r"; data = /incbin/("%s"); type = "ramdisk"; arch = "arm"; os = "linux"; compression = "gzip"; hash-1 { algo = "crc32"; }; }; }; configurations { default = "c"; c { ramdisk = "a"; }; }; };\n' "$out/gzip/a.gz" >"$t/f.its"
command -v dtc >/dev/null && mkimage -f "$t/f.its" "$out/fit/a.itb" >/dev/null
# Disk images (fat, mbr, gpt, android_sparse, android_boot, android_vendor_boot, zlib): FAT made
# with mkfs.fat and mcopy, partition tables with sfdisk/sgdisk around it, img2simg, mkbootimg.
for id in fat mbr gpt android_sparse android_boot android_vendor_boot zlib; do mkdir -p "$out/$id"; done
if command -v mkfs.fat >/dev/null && command -v mcopy >/dev/null; then
  for b in 12 16; do
    mkfs.fat -F $b -s 1 -C "$out/fat/fat$b.img" $((b == 12 ? 160 : 2400)) >/dev/null
    (cd "$t/src" && MTOOLS_SKIP_CHECK=1 mcopy -s -i "$out/fat/fat$b.img" * ::/)
  done
  if command -v sfdisk >/dev/null; then
    truncate -s 300K "$out/mbr/a.img"
    printf 'label: dos\nstart=1, size=320, type=1\nstart=330, size=260, type=5\nstart=340, size=240, type=1\n' |
      sfdisk -q "$out/mbr/a.img"
    dd if="$out/fat/fat12.img" of="$out/mbr/a.img" bs=512 seek=1 conv=notrunc status=none
  fi
  if command -v sgdisk >/dev/null; then
    truncate -s 220K "$out/gpt/a.img"
    sgdisk -q -n 1:34:+160K -c 1:boot "$out/gpt/a.img" >/dev/null
    dd if="$out/fat/fat12.img" of="$out/gpt/a.img" bs=512 seek=34 conv=notrunc status=none
  fi
fi
command -v img2simg >/dev/null && img2simg "$out/ext/ext2.img" "$out/android_sparse/ext2.simg"
if command -v mkbootimg >/dev/null; then
  for v in 0 2 3; do
    mkbootimg --header_version $v --kernel "$out/gzip/a.gz" --ramdisk "$out/cpio/newc.cpio" \
      --dtb "$out/lz4/a.lz4" --cmdline console=ttyS0 -o "$out/android_boot/v$v.img"
  done
  mkbootimg --header_version 3 --vendor_boot "$out/android_vendor_boot/v3.img" \
    --vendor_ramdisk "$out/gzip/a.gz" --dtb "$out/lz4/a.lz4"
fi
python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.compress(open(sys.argv[1], "rb").read(), 9))' \
  "$out/tar/a.tar" >"$out/zlib/a.zlib"
# YAFFS2 (no Debian tool): 2048+64 chunks, tags at spare offset 0, a folder, a file, a symlink;
# plus binwalk's sample from the corpus when it is there.
python3 - "$out/yaffs2/a.yaffs2" <<'PY'
import struct, sys
out = bytearray()
def chunk(page, obj, cid, n):
    global out
    out += page.ljust(2048, b'\xff') + struct.pack('<IIII', 0x1000, obj, cid, n).ljust(64, b'\xff')
def header(obj, typ, parent, name, mode, size=0, alias=b''):
    h = bytearray(b'\xff' * 512)
    struct.pack_into('<II', h, 0, typ, parent); h[10:266] = name.ljust(256, b'\0')
    struct.pack_into('<IIIIIIIi', h, 268, mode, 0, 0, 0, 0, 0, size, -1)
    if alias: h[300:460] = alias.ljust(160, b'\0')
    chunk(bytes(h), obj, 0, 0xffff)
header(257, 3, 1, b'etc', 0o40755)
data = open('/bin/ls', 'rb').read(5000)
header(258, 1, 257, b'prog', 0o100755, len(data))
for i in range(0, len(data), 2048): chunk(data[i:i + 2048], 258, i // 2048 + 1, len(data[i:i + 2048]))
header(259, 2, 1, b'link', 0o120777, alias=b'etc/prog')
open(sys.argv[1], 'wb').write(out)
PY
[ -f "$(dirname "$0")/../../shared/corpus/images/17_binwalk_yaffs2-sample.bin" ] &&
  cp "$(dirname "$0")/../../shared/corpus/images/17_binwalk_yaffs2-sample.bin" "$out/yaffs2/binwalk.bin"
# A kernel-like ELF (banner, gzip'd cpio as .init.ramfs) and a Linksys code pattern over the TRX.
if command -v gcc >/dev/null && command -v objcopy >/dev/null; then
  printf 'const char b[] = "Linux version 6.1.0 (a@b) (gcc) #1";\nint main(void) { return b[0]; }\n' >"$t/k.c"
  gcc -O1 -o "$t/k" "$t/k.c"
  objcopy --add-section .init.ramfs="$out/gzip/a.gz" "$t/k" "$out/vmlinux/vmlinux"
fi
{ printf 'W54G\0\0\0\0\030\013\036\004\025\005U2ND\001\000\037\000'; head -c 10 /dev/zero; cat "$out/trx/a.trx"; } >"$out/linksys/w54g.bin"
# D-Link SHRS (a SquashFS encrypted by openssl with the published key), Netgear CHK (LZMA kernel and
# SquashFS, mkchkimg's checksums), SEAMA (an entity, and a seal holding two entities), Xiaomi HDR1
# and HDR2 (xiaomifw's layout: two blobs, a zeroed signature, CRC-32 from offset 12).
python3 - "$out/squashfs/gzip.sqfs" "$out/lzma/a.lzma" "$out" <<'PY'
import hashlib, struct, subprocess, sys
fs = open(sys.argv[1], 'rb').read(); kern = open(sys.argv[2], 'rb').read(); out = sys.argv[3]
key = bytes.fromhex('c05fbf1936c99429ce2a0781f08d6ad8'); iv = bytes(range(16))
ct = subprocess.run(['openssl', 'enc', '-aes-128-cbc', '-nopad', '-K', key.hex(), '-iv', iv.hex()],
                    input=fs + b'\0' * (-len(fs) % 16), capture_output=True, check=True).stdout
sha = lambda b: hashlib.sha512(b).digest()
open(out + '/shrs/a.bin', 'wb').write(b'SHRS' + struct.pack('>II', len(fs), len(ct)) + iv +
                                      sha(fs + key) + sha(fs) + sha(ct) + bytes(1536) + ct)
def nsum(b):
    a = c = 0
    for x in b: a += x; c += a
    fold = lambda v: (lambda t: ((t >> 16) + t) & 0xffff)((v & 0xffff) + ((v >> 16) & 0xffff))
    return fold(c & 0xffffffff) << 16 | fold(a & 0xffffffff)
board = b'U12H072T00_NETGEAR'
h = struct.pack('>II4B4xIIIII', 0x2a23245e, 40 + len(board), 1, 1, 1, 99, nsum(kern), nsum(fs),
                len(kern), len(fs), nsum(kern + fs)) + b'\0' * 4 + board
h = h[:0x24] + struct.pack('>I', nsum(h)) + h[0x28:]
open(out + '/chk/a.chk', 'wb').write(h + kern + fs)
ent = lambda meta, img: struct.pack('>IHHI', 0x5ea3a417, 0, len(meta), len(img)) + \
    hashlib.md5(img).digest() + meta + img
e = ent(b'dev=/dev/mtdblock/1\0type=firmware\0\0', fs)
open(out + '/seama/entity.bin', 'wb').write(e)
es = ent(b'type=boot\0\0\0', kern) + e; meta = b'signature=wrgac25_dlink.2013gui_dir880\0\0'
open(out + '/seama/seal.bin', 'wb').write(struct.pack('>IHHI', 0x5ea3a417, 0, len(meta), len(es)) + meta + es)
import zlib
for v in (1, 2):
    hl = 48 if v == 1 else 80; body = b''; offs = []
    for name, data in ((b'uImage', kern), (b'rootfs', fs)):
        offs.append(hl + len(body))
        body += struct.pack('<IIIHH', 0xbabe, 0xffffffff, len(data), 4, 0) + name.ljust(32, b'\0') + data
        body += b'\0' * (-len(body) % 4)
    dev = struct.pack('<HH', 0, 0x25) if v == 1 else b'\0' * 4 + b'RA70'.ljust(8, b'\0') + b'EU'.ljust(8, b'\0') + bytes(16)
    h = b'HDR%d' % v + struct.pack('<I', hl + len(body)) + b'\0' * 4 + dev + struct.pack('<8I', *(offs + [0] * 6))
    img = h + body + bytes(16 + 256)
    crc = zlib.crc32(img[12:]) ^ 0xffffffff
    open(out + '/xiaomi/hdr%d.bin' % v, 'wb').write(img[:8] + struct.pack('<I', crc) + img[12:])
PY
# TP-Link safeloader (tplink-safeloader's factory layout and salted MD5 over an LZMA kernel and a
# SquashFS), Dahua (the zip seed with "DH" for "PK": the first header only, and every signature),
# D-Link encrpted_img (a UBI image of 128 KiB erase blocks, each encrypted by openssl with the
# published key and IV), an OpenSSL salted image (the gzip seed under a published Foscam password).
python3 - "$out/squashfs/gzip.sqfs" "$out/lzma/a.lzma" "$out/zip/a.zip" "$out" <<'PY'
import hashlib, struct, sys
fs = open(sys.argv[1], 'rb').read(); kern = open(sys.argv[2], 'rb').read()
z = open(sys.argv[3], 'rb').read(); out = sys.argv[4]
parts = [(b'partition-table', b'partition os-image base 0x40000 size 0x1c0000\n'),
         (b'soft-version', bytes(8) + b'soft_ver:1.0.0\n'), (b'support-list', b'SupportList:\r\nX\r\n'),
         (b'os-image', kern), (b'file-system', fs)]
table = b''; body = b''; base = 0x800
for name, data in parts:
    table += b'fwup-ptn %s base 0x%05x size 0x%05x\t\r\n' % (name, base, len(data)); body += data; base += len(data)
vendor = b'CPE510(TP-LINK|UN|N300-5):1.0\r\n'
img = bytearray(b'\xff' * 0x1814) + body
img[0:4] = struct.pack('>I', len(img)); img[0x14:0x18] = struct.pack('>I', len(vendor))
img[0x18:0x18 + len(vendor)] = vendor; img[0x1014:0x1014 + len(table) + 1] = table + b'\0'
salt = bytes.fromhex('7a2b15ed9b98596de504ab44ac2a9f4e')
img[4:0x14] = hashlib.md5(salt + bytes(img[0x14:])).digest()
open(out + '/tplink_safeloader/factory.bin', 'wb').write(img)
end = z.rindex(b'PK\x05\x06'); n, cd = struct.unpack_from('<H', z, end + 10)[0], struct.unpack_from('<I', z, end + 16)[0]
first = b'DH' + z[2:]; every = bytearray(first); at = cd
for _ in range(n):
    every[at:at + 2] = b'DH'; lho = struct.unpack_from('<I', z, at + 42)[0]; every[lho:lho + 2] = b'DH'
    at += 46 + sum(struct.unpack_from('<HHH', z, at + 28))
every[end:end + 2] = b'DH'
open(out + '/dahua/first.bin', 'wb').write(first); open(out + '/dahua/every.bin', 'wb').write(every)
PY
printf '[v]\nmode=ubi\nimage=%s\nvol_id=0\nvol_type=dynamic\nvol_name=v\n' "$out/squashfs/gzip.sqfs" >"$t/e.ini"
ubinize -o "$t/e.ubi" -p 128KiB -m 2048 "$t/e.ini" >/dev/null 2>&1
(cd "$t" && split -b 131072 -d -a 4 e.ubi peb. && for f in peb.*; do
  openssl enc -aes-256-cbc -nopad -K "$(printf 'he9-4+M!)d6=m~we1,q2a3d1n&2*Z^%%8' | od -An -tx1 | tr -d ' \n')" \
    -iv "$(printf 'J%%1iQl8$=lm-;8AE' | od -An -tx1 | tr -d ' \n')" -in "$f"; done >e.enc)
{ printf 'encrpted_img'; python3 -c 'import os,struct,sys; sys.stdout.buffer.write(struct.pack(">I", os.path.getsize(sys.argv[1])))' "$t/e.enc"; cat "$t/e.enc"; } \
  >"$out/encrpted_img/a.bin"
openssl enc -aes-128-cbc -md md5 -salt -k 'WWyift*v2' -in "$out/gzip/a.gz" -out "$out/openssl_salted/a.bin" 2>/dev/null
# Microcontroller images: Intel HEX and S-records (binutils) of the gzip seed, ESP32/ESP8266
# application images and an ESP32 flash with its partition table (esptool's and ESP-IDF's layouts;
# esptool is not packaged), RTOS banners.
objcopy -I binary -O ihex --change-addresses 0x08000000 "$out/gzip/a.gz" "$out/ihex/a.hex"
objcopy -I binary -O srec --change-addresses 0x08000000 "$out/gzip/a.gz" "$out/srec/a.s37"
objcopy -I binary -O srec --srec-len=16 "$out/gzip/a.gz" "$out/srec/a.s19"
python3 - "$out/gzip/a.gz" "$out/espimage" "$out/esppart" <<'PY'
import hashlib, struct, sys
gz = open(sys.argv[1], 'rb').read(); gz += b'\0' * (-len(gz) % 4)
def image(esp32, segs, sha):
    h = struct.pack('<BBBBI', 0xE9, len(segs), 2, 0x20, 0x40081214)
    if esp32: h += struct.pack('<BBBBHBHHIB', 0xEE, 0, 0, 0, 0, 0, 0, 399, 0, 1 if sha else 0)
    s = 0xEF
    for addr, data in segs:
        h += struct.pack('<II', addr, len(data)) + data
        for b in data: s ^= b
    h += b'\0' * (15 - len(h) % 16) + bytes([s])
    return h + (hashlib.sha256(h).digest() if sha else b'')
desc = struct.pack('<II8x32s32s16s16s32s32s80x', 0xABCD5432, 0, b'v1.0', b'app', b'10:00:00', b'Jan  1 2024', b'v5.1.2', b'')
app = image(True, [(0x3f400020, desc + gz), (0x3ffb0000, b'\x11' * 64)], True)
open(sys.argv[2] + '/esp32.bin', 'wb').write(app)
open(sys.argv[2] + '/esp8266.bin', 'wb').write(image(False, [(0x40100000, gz)], False))
ent = lambda t, st, off, size, name: struct.pack('<2sBBII16sI', b'\xAA\x50', t, st, off, size, name, 0)
table = ent(1, 2, 0x9000, 0x6000, b'nvs') + ent(0, 0, 0x10000, 0x10000, b'factory')
table += b'\xEB\xEB' + b'\xFF' * 14 + hashlib.md5(table).digest()
flash = bytearray(b'\xFF' * 0x10000) + app
flash[0x8000:0x8000 + len(table)] = table
open(sys.argv[3] + '/flash.bin', 'wb').write(bytes(flash))
open(sys.argv[3] + '/table.bin', 'wb').write(table + b'\xFF' * (0xC00 - len(table)))
PY
printf '\0\0*** Booting Zephyr OS build v3.5.0 ***\n\0FreeRTOS Kernel V10.4.3\0VxWorks 6.9\0' >"$out/rtos/banners.bin"
printf '\nRedBoot(tm) bootstrap and debug environment [ROMRAM]\nNon-certified release, version v3_0 - built 10:00:00, Jan  1 2010\n' >"$out/rtos/redboot.bin"
# Answers of live devices (network/): HTTP, a banner, an MQTT CONNACK, an SSH KEXINIT, SNMP.
mkdir -p "$out/probes" "$out/http" "$out/ssh" "$out/snmp" "$out/mdns"
printf 'HTTP/1.1 200 OK\r\nServer: lighttpd/1.4.69\r\nContent-Length: 2\r\n\r\nok' >"$out/http/plain.http"
printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n' >"$out/http/chunked.http"
# fuzz_http also reads its input as a request and as a capture's stream of responses.
printf 'POST /login HTTP/1.1\r\nHost: cam\r\nContent-Length: 13\r\n\r\nuser=a&pass=b' >"$out/http/request.http"
printf 'HTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: 1\r\n\r\nHTTP/1.0 200 OK\nServer: x\n folded\n\nbody' >"$out/http/stream.http"
cp "$out/http/plain.http" "$out/probes/http"
printf '220 (vsFTPd 3.0.3)\r\n' >"$out/probes/ftp"; printf '\x20\x02\x00\x00' >"$out/probes/mqtt"
printf '\xff\xfd\x01\xff\xfd\x1f' >"$out/probes/telnet"
python3 - "$out/ssh/kexinit" "$out/snmp/response" "$out/mdns/http" <<'PY'
import struct, sys
def s(x): return struct.pack('>I', len(x)) + x
lists = [b'curve25519-sha256,diffie-hellman-group14-sha1', b'ssh-ed25519', b'aes128-ctr', b'aes128-ctr',
         b'hmac-sha2-256,hmac-sha1', b'hmac-sha2-256', b'none', b'none', b'', b'']
payload = b'\x14' + b'\0' * 16 + b''.join(s(l) for l in lists) + b'\0' + b'\0' * 4
pad = 8 - (len(payload) + 5) % 8 + 4
pkt = struct.pack('>IB', len(payload) + pad + 1, pad) + payload + b'\0' * pad
open(sys.argv[1], 'wb').write(b'SSH-2.0-dropbear_2022.83\r\n' + pkt)
def tlv(t, v): return bytes([t, len(v)]) + v
oid = b'\x2b\x06\x01\x02\x01\x01\x01\x00'
vb = tlv(0x30, tlv(0x30, tlv(0x06, oid) + tlv(0x04, b'Linux router 5.4')))
pdu = tlv(0xa2, tlv(2, b'\1') + tlv(2, b'\0') + tlv(2, b'\0') + vb)
open(sys.argv[2], 'wb').write(tlv(0x30, tlv(2, b'\1') + tlv(4, b'public') + pdu))
# avahi's legacy-unicast answer to "_http._tcp.local PTR": PTR, TXT, SRV, A (compressed names).
q = b'\x05_http\x04_tcp\x05local\x00'
rr = lambda t, d: b'\xc0\x0c' + struct.pack('>HHIH', t, 1, 10, len(d)) + d
open(sys.argv[3], 'wb').write(b'\0\0\x84\0\0\x01\0\x04\0\0\0\0' + q + b'\0\x0c\0\x01' +
    rr(12, b'\x07Cam web\xc0\x0c') + rr(16, b'\x0dmodel=IPC-100') +
    rr(33, b'\0\0\0\0\0\x50\x0aiotcop-cam\xc0\x17') + rr(1, b'\x7f\0\0\x01'))
PY
cp "$out/ssh/kexinit" "$out/probes/ssh"
# SSH host key blobs (the wire form ParseSshHostKeyBlob reads) of dropbearkey's three key types.
if command -v dropbearkey >/dev/null; then
  for kt in rsa ecdsa ed25519; do
    dropbearkey -t "$kt" -f "$t/hostkey_$kt" >/dev/null 2>&1 &&
      dropbearkey -y -f "$t/hostkey_$kt" 2>/dev/null | awk '/^(ssh-|ecdsa)/ {print $2}' |
      base64 -d > "$out/ssh/hostkey_$kt"
  done
fi
# Traffic: a pcap with an FTP login and an MQTT CONNECT, its pcapng copy, and the payloads alone.
mkdir -p "$out/traffic_capture" "$out/traffic_protocols"
python3 - "$out/traffic_capture/login.pcap" "$out/traffic_protocols" <<'PY'
import struct, sys
def frame(src, dst, sport, dport, payload, seq):
    tcp = struct.pack('>HHIIBBHHH', sport, dport, seq, 0, 0x50, 0x18, 65535, 0, 0) + payload
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, bytes(src), bytes(dst)) + tcp
    return b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00' + ip
ftp = b'USER admin\r\nPASS secret\r\n'
mqtt = b'\x10\x18\x00\x04MQTT\x04\xc2\x00\x3c\x00\x01c\x00\x01u\x00\x06secret'
pkts = [frame([10,0,0,2], [10,0,0,1], 40000, 21, ftp, 1), frame([10,0,0,2], [10,0,0,1], 40001, 1883, mqtt, 1)]
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    for p in pkts: f.write(struct.pack('<IIII', 1, 0, len(p), len(p)) + p)
open(sys.argv[2] + '/ftp.txt', 'wb').write(ftp)
open(sys.argv[2] + '/mqtt.bin', 'wb').write(mqtt)
open(sys.argv[2] + '/http.txt', 'wb').write(b'POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nuser=a&pass=b')
PY
command -v editcap >/dev/null && editcap -F pcapng "$out/traffic_capture/login.pcap" "$out/traffic_capture/login.pcapng"
# The text parsers' seeds are committed under fuzz/seeds/<name>/ (security.txt, feeds, a trimmed
# stored report, batch list, login answers, telnet negotiation, robustness payload templates).
here=$(cd "$(dirname "$0")" && pwd)
cp -r "$here/seeds/." "$out/"
cp "$out/http/plain.http" "$out/http/chunked.http" "$out/http_auth/"
# The demo product's declaration and key material (public test keys), an OpenSSH key, ELF files.
mkdir -p "$out/declaration" "$out/keys" "$out/elf" "$out/trailers"
cp "$here/../samples/camera/declaration.yaml" "$out/declaration/"
cp "$here/../samples/camera/keys/"camera-web.* "$here/../samples/camera/keys/dropbear_rsa_host_key" "$out/keys/"
ssh-keygen -q -t ed25519 -N '' -C fuzz -f "$t/id_ed25519" && cp "$t/id_ed25519" "$out/keys/openssh.key"
cp /bin/true "$out/elf/true"
printf 'int f(int x){return x+1;}\n' >"$t/f.c" && cc -c -O1 -o "$out/elf/f.o" "$t/f.c" 2>/dev/null || true
# Signature trailers: an OpenWrt fwtool metadata + signature chunk pair and an Android AVB footer.
python3 - "$out/trailers" <<'PY'
import json, struct, sys
def chunk(data, typ):
    return struct.pack('>II', 0, 0) + data + struct.pack('>IIB3xI', 0x46577830, 0, typ, 8 + len(data) + 16)
meta = json.dumps({"supported_devices": ["tplink,archer-c7-v2"], "version": {"dist": "OpenWrt"}}).encode()
open(sys.argv[1] + '/fwtool.bin', 'wb').write(b'x' * 64 + chunk(meta, 1) + chunk(b'\x5a' * 64, 0))
img = b'k' * 512
vb = b'AVB0' + struct.pack('>IIQQI', 1, 0, 64, 64, 1)
vb += bytes(256 + 64 + 64 - len(vb))
body = img + vb
body += bytes(4096 - 64 - len(body))
footer = b'AVBf' + struct.pack('>IIQQQ', 1, 0, len(img), len(img), len(vb))
open(sys.argv[1] + '/avb.bin', 'wb').write(body + footer + bytes(64 - len(footer)))
PY
echo "seeds in $out"
