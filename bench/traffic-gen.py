#!/usr/bin/env python3
# Writes a synthetic capture for bench/traffic: Ethernet/IPv4/TCP flows of several devices (HTTP
# downloads with a login form now and then, TLS 1.2/1.3 sessions, MQTT telemetry) plus DNS answers,
# each flow with handshake, segments of up to 1400 bytes, ACKs and FIN.
#   bench/traffic-gen.py OUT.pcap MIB
import random, struct, sys

out, mib = sys.argv[1], int(sys.argv[2])
target = mib * 1024 * 1024
rnd = random.Random(5)
ETH = b'\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00'

def ip4(a):
    return bytes(int(x) for x in a.split('.'))

class Writer:
    def __init__(self, f):
        self.f, self.t, self.n = f, 1700000000_000000, 0
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    def ip(self, src, dst, proto, l4):
        pkt = ETH + struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), self.n & 0xffff, 0x4000, 64,
                                proto, 0, src, dst) + l4
        self.t += 137
        self.f.write(struct.pack('<IIII', self.t // 1000000, self.t % 1000000, len(pkt), len(pkt)) + pkt)
        self.n += 1
        return len(pkt) + 16

def tcp(w, c, cp, s, sp, client_msgs, server_msgs):
    size, cseq, sseq = 0, rnd.getrandbits(31), rnd.getrandbits(31)
    def seg(frm_c, flags, data=b''):
        nonlocal size
        a, ap, b, bp = (c, cp, s, sp) if frm_c else (s, sp, c, cp)
        seq, ack = (cseq, sseq) if frm_c else (sseq, cseq)
        size += w.ip(a, b, 6, struct.pack('>HHIIBBHHH', ap, bp, seq, ack, 0x50, flags, 65535, 0, 0) + data)
    seg(True, 0x02); cseq += 1
    seg(False, 0x12); sseq += 1
    seg(True, 0x10)
    for frm_c, data in [(True, m) for m in client_msgs] + [(False, m) for m in server_msgs]:
        for i in range(0, len(data), 1400):
            part = data[i:i + 1400]
            seg(frm_c, 0x18, part)
            if frm_c: cseq += len(part)
            else: sseq += len(part)
            if (i // 1400) % 2: seg(not frm_c, 0x10)
    seg(True, 0x11); cseq += 1
    seg(False, 0x11); sseq += 1
    seg(True, 0x10)
    return size

def tls_hello(sni):
    sni_b = sni.encode()
    ext = struct.pack('>HHHBH', 0, len(sni_b) + 5, len(sni_b) + 3, 0, len(sni_b)) + sni_b
    ext += struct.pack('>HHB', 43, 5, 4) + b'\x03\x04\x03\x03'
    body = b'\x03\x03' + bytes(32) + b'\x00' + b'\x00\x04\x13\x01\xc0\x2f' + b'\x01\x00' + struct.pack('>H', len(ext)) + ext
    hs = b'\x01' + struct.pack('>I', len(body))[1:] + body
    return b'\x16\x03\x01' + struct.pack('>H', len(hs)) + hs

def server_hello(v13):
    ext = struct.pack('>HHH', 43, 2, 0x0304) if v13 else b''
    body = b'\x03\x03' + bytes(32) + b'\x00' + (b'\x13\x01' if v13 else b'\xc0\x2f') + b'\x00'
    if ext: body += struct.pack('>H', len(ext)) + ext
    hs = b'\x02' + struct.pack('>I', len(body))[1:] + body
    return b'\x16\x03\x03' + struct.pack('>H', len(hs)) + hs

blob = bytes(rnd.getrandbits(8) for _ in range(64 * 1024))
with open(out, 'wb') as f:
    w = Writer(f)
    written, flow = 24, 0
    devices = ['192.168.1.%d' % i for i in range(10, 18)]
    servers = ['198.51.100.%d' % i for i in range(1, 60)] + ['203.0.113.%d' % i for i in range(1, 60)]
    while written < target:
        dev, srv = ip4(rnd.choice(devices)), rnd.choice(servers)
        port = 20000 + flow % 40000
        kind = flow % 10
        if kind < 5:  # HTTP download
            n = rnd.randrange(8, 48) * 1024
            req = b'GET /files/%d.dat HTTP/1.1\r\nHost: cdn%d.vendor.example\r\n\r\n' % (flow, flow % 7)
            if flow % 97 == 0:
                form = b'user=u%d&password=secret%d' % (flow, flow)
                req = b'POST /login HTTP/1.1\r\nHost: portal.example\r\nContent-Length: %d\r\n\r\n%s' % (len(form), form)
            resp = b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n' % n
            written += tcp(w, dev, port, ip4(srv), 80, [req], [resp + blob[:n]])
        elif kind < 9:  # TLS
            n = rnd.randrange(8, 48) * 1024
            written += tcp(w, dev, port, ip4(srv), 443, [tls_hello('api%d.vendor.example' % (flow % 5))],
                           [server_hello(flow % 2 == 0) + b'\x17\x03\x03' + struct.pack('>H', 16384) + blob[:n]])
        else:  # MQTT telemetry
            conn = b'\x10\x18\x00\x04MQTT\x04\xc2\x00\x3c\x00\x01c\x00\x01u\x00\x06secret'
            pubs = b''.join(b'\x30' + bytes([len(b'\x00\x09cam/state') + 20]) + b'\x00\x09cam/state' + b'{"t":21.5,"h":40.01}' for _ in range(50))
            written += tcp(w, dev, port, ip4(srv), 1883, [conn + pubs], [b'\x20\x02\x00\x00'])
            written += w.ip(ip4('192.168.1.1'), dev, 17, struct.pack('>HHHH', 53, port, 8 + 12, 0) + bytes(12))
        flow += 1
print('%s: %d flows, %d packets, %d MiB' % (out, flow, w.n, written >> 20))
