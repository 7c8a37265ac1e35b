// File: core/fact_kinds.h
// The kinds of fact, with the fields of each value. Collectors write them, checks read them, and
// the JSON report prints them as they are. Keep this list the one place a kind is defined.
#pragma once

namespace iotcop::facts {

// {name, value: bool, reason} — a product property that conditions test (applicability.h).
inline constexpr const char* kProperty = "property";
// {root, path, size, type} — an unpacked filesystem root (one per filesystem found).
inline constexpr const char* kFilesystem = "filesystem";
// {name, uid, gid, home, shell, login: bool, password: {state: empty|locked|hash|none|placeholder,
//  scheme, hash(redacted), hash_id, file, line}, file, groups, installed_as, installed_by} — an
//  account from passwd/shadow and their copies. none = shadow field "x" (never set; OpenWrt lets
//  root in); placeholder = "x" in passwd and no shadow file in the image (made at first boot);
//  installed_as = the live file a boot script copies this one to (/etc/passwd -> /var/passwd).
inline constexpr const char* kAccount = "account";
// {user, password_state: hash|plaintext|empty, scheme, cracked: bool, password(redacted), source,
//  where, kind: account|web|nvram|command|binary|snmp, service, login, uid, account_fact, rule,
//  exhausted, tried, write} — a credential baked into the image; cracked = the default-credential
//  dictionary (or a default SNMP community) knows it.
inline constexpr const char* kCredential = "credential";
// {name, command, argv, started_by, file, line, init: inittab|rcS|initd|procd|systemd|rc.local|
//  inetd|xinetd|cron, user (when the configuration says it), port, tty, action, schedule (cron),
//  background, has_credentials} — a program started at boot (a cron entry's only when crond is
//  started); passwords on its command line are redacted.
inline constexpr const char* kService = "service";
// {name, command, status: listening|crashed|no-listener|not-started|skipped, arch, runner
//  (native|qemu-<arch>-static), reason (skipped), tcp: [ports], udp: [ports], exit_code, signal,
//  started_after_s, output (its last output, bounded)} — a network service of the boot run under
//  emulation (emulate/, docs/emulation.md); evidence: where the boot starts it.
inline constexpr const char* kEmulatedService = "emulated_service";
// {key, value (redacted when secret), secret: bool, file, line (text tables) | offset (compiled
//  string tables and tuple arrays), format: text|elf-strings|elf-tuples} — one entry of an nvram
//  default table (nvram.default, RT2860_default, default.cfg, libnvram.so/libshared.so strings):
//  firmware/nvram.h.
inline constexpr const char* kNvramDefault = "nvram_default";
// {server: lighttpd|uhttpd|httpd|boa|goahead|mini_httpd|thttpd, config, line, path (URL prefix),
//  realm, method: basic|digest|none, user_file, users: [...], admin: bool} — how a web server of
//  the image protects a path (method none: a path served without authentication).
inline constexpr const char* kWebAuth = "web_auth";
// {type: rsa|ec|ed25519|dsa, format: pem|der|openssh|dropbear|putty, detail, bits, encrypted: bool,
//  placeholder: bool, fingerprint (SHA-256 of the public key's SPKI DER), path, offset,
//  role: host|tls|other, referenced_by, certificate, generated_at_boot: {by, only_if_missing}} — a
//  private key in the image (placeholder: a 0-byte file where a key belongs).
inline constexpr const char* kPrivateKey = "private_key";
// {subject, issuer, not_before, not_after, expired, self_signed, key_type, key_bits, sig_alg,
//  fingerprint, key_fingerprint, path, bundle (a trust store, not the device's identity)}
inline constexpr const char* kCertificate = "certificate";
// {path, arch, bits, endian, type: exec|pie|dso, interp, static, nx, pie, relro: none|partial|full,
//  canary, fortify, fortified: [...], rpath: [...], runpath: [...], stripped, needed: [...],
//  imports: count, risky: [...]} — one ELF executable or library (firmware/collectors/binaries).
inline constexpr const char* kBinary = "binary";
// {name, version, type: library|application|operating-system, cpe, purl, vendor, product,
//  source: opkg|dpkg|signature|path, path, package, package_version} — a software component.
inline constexpr const char* kComponent = "component";
// {id, component, version, component_fact (id of the component fact, or of the network_service
//  fact of a live service), cvss, vector, severity (the feed's word), summary, why ("1.19.4 <
//  1.34.0 (versionEndExcluding)"), database, vex; live services also: live: true, endpoint,
//  announced ("dropbear/2022.83"), banner, cpe} — a known vulnerability of the vulnerability
//  database matched to a component's version (vuln/match.h).
inline constexpr const char* kVulnerability = "vulnerability";
// {database, matched: components|live services, known (vulnerabilities in it), components_checked,
//  matches, error, match_errors, vex, vex_errors} — what the components of one image, or the live
//  services of an assessment, were matched against; error when the database could not be
//  opened, match_errors for components whose query failed (the others still count).
inline constexpr const char* kVulnerabilityScan = "vulnerability_scan";
// {mechanism: sysupgrade|swupdate|rauc|mender|opkg|vendor, path, transport: http|https|ftp|tftp|
//  local, url, urls: [...], flashes: bool, verifies_signature: bool|null, verification}
inline constexpr const char* kUpdateMechanism = "update_mechanism";
// {url, scheme, host, port, purpose: update|cloud|mqtt|other, tls: bool, file}
inline constexpr const char* kEndpoint = "endpoint";
// {setting: tls-verification-off|weak-protocol|weak-cipher, value, meaning, file} — insecure
//  communication setting.
inline constexpr const char* kCommSetting = "comm_setting";
// {kind: security.txt|document|contact, path, contact, contacts, policy, well_known, valid, errors}
inline constexpr const char* kDisclosure = "disclosure";
// {path, mode, owner, group, type, issue: setuid|setgid|world-writable}
inline constexpr const char* kFilePermission = "file_permission";
// {kind: token|password|api-key, rule, description, entropy, value(redacted), path} — a secret
//  string found in a file by rules/secrets/*.yar, above the rule's entropy floor.
inline constexpr const char* kSecret = "secret";
// {format: fit|openwrt-fwtool|android-avb, signed: bool, signatures: [node lines or chunks], root
//  (fit), trailers: [{kind, offset, size, detail}] (trailer formats)} — whether the image itself
//  carries signatures (FIT signature nodes for U-Boot verified boot, signature trailers).
inline constexpr const char* kImageSignature = "image_signature";
// {path, language: shell|lua|php, kind: cgi|haserl|luci-controller|luci-cbi|php, analysed: bool,
//  reason (why not: Lua bytecode, no interpreter line, ELF program, parse error with its line),
//  injections: count} — a web handler of the image (firmware/collectors/web_handlers.cc).
inline constexpr const char* kWebHandler = "web_handler";
// {path, line, language, source, sink, function, excerpt, chain: ["line: code", ...] (source
//  first, sink last), entry (LuCI dispatcher path "admin/x/y"), authenticated: bool|null} — a
//  request value that reaches a command sink (firmware/taint).
inline constexpr const char* kWebTaint = "web_taint";
// {field, topic, value, provisions} — one entry of the manufacturer's declaration
// (declaration/schema.h).
inline constexpr const char* kClaim = "claim";
// {name, version} — operating system / kernel identified in the image.
inline constexpr const char* kOperatingSystem = "operating_system";

// --- live devices (network/) ---
// {address, port, transport: tcp|udp, input} — a port that accepted a connection (tcp) or
//  answered a probe (udp), from the connect scan of network/scanner.cc.
inline constexpr const char* kOpenPort = "open_port";
// {address, port, transport, input, service: telnet|ssh|http|https|ftp|mqtt|mqtts|rtsp|tls|adb|
//  gdbserver|snmp|ssdp|mdns|coap|tftp|unknown, product, version, tls: bool, banner (bounded,
//  printable), probe (rules/probes.yaml entry that matched), cleartext: bool (credentials or data
//  would cross the network unencrypted), anonymous: bool|null (MQTT CONNECT without credentials
//  accepted, SNMP community answered, FTP anonymous), community, redirect_https: bool (HTTP that
//  redirects to https:), server (HTTP Server header), disclosure: [what it reveals
//  unauthenticated]; mdns: services: [{type, instances, txt}], hosts; coap: code, resources
//  (.well-known/core paths); tftp: read_answer, reads: bool (an anonymous read request was looked
//  up or served)}
inline constexpr const char* kNetworkService = "network_service";
// {template, name, file, line, address, port, transport, service, protocol, request (the request
//  line sent), url, status, excerpt (bounded, secrets redacted), decides: [...], informs: [...],
//  severity, description, cleanup: {request, status, error}} — a probe template
//  (rules/templates/, --templates; network/templates.h) matched on a live service without
//  authentication.
inline constexpr const char* kTemplateMatch = "template_match";
// {input, templates (loaded), endpoints, requests (sent), matched, errors (requests that got no
//  answer)} — what the probe templates were tried on for one --host.
inline constexpr const char* kTemplateScan = "template_scan";
// {address, port, service, versions: {SSLv3|TLSv1|TLSv1.1|TLSv1.2|TLSv1.3: bool}, accepted: [...],
//  weak_ciphers: [{version, name, why}], certificate: {subject, issuer, self_signed, expired,
//  not_before, not_after, key_type, key_bits, sig_alg, name_match, names: [...],
//  fingerprint, name_checked, chain_verified (against the system trust store), verify_code,
//  verify_error (OpenSSL's words), verify_reason: trusted|self-signed|unknown CA|expired|not yet
//  valid|invalid chain|weak key or signature|invalid|name mismatch, verified (chain and name),
//  trust_store}} — one TLS listener, every protocol version tried separately.
inline constexpr const char* kTlsEndpoint = "tls_endpoint";
// {address, port, banner, software, kex: [...], host_keys: [...], ciphers: [...], macs: [...],
//  compression: [...], weak: [{kind: kex|host_key|cipher|mac|host_key_size, name, why, level,
//  bits}], host_key_details: [{algorithm, type, bits, curve, level | error}], auth_methods: [...],
//  password_auth: bool|null} — an SSH server's identification and KEXINIT (RFC 4253 7.1) and the
//  authentication methods it lists after "none".
inline constexpr const char* kSshEndpoint = "ssh_endpoint";
// {client, destination, port, sni, name (the name forged), forgery: self-signed|untrusted-ca|
//  other-name|expired|weak-key, accepting_means, outcome: refused|handshake-only|accepted|error,
//  reason (the client's alert, or why), tls_version, sent (what the device sent, described, not
//  shown)} — one of the device's own TLS connections answered with a forged certificate
//  (`assess --intercept`, network/intercept/).
inline constexpr const char* kTlsClientTest = "tls_client_test";
// (the live probe also adds `disclosure` facts: security.txt fetched from the device, with url,
//  transport: https|http, status)

// logins and robustness (network/login*, network/robustness.cc)
// {service, endpoint, url (https://127.0.0.13:443/: the scheme says whether TLS carried it), tls,
//  method: telnet|ssh-password|ssh-kbdint|http-basic|http-digest|http-form|ftp|
//  mqtt|rtsp-basic|rtsp-digest, user, password(redacted), anonymous: bool, success: bool,
//  attempts (tried on this service so far, this one included), latency_ms, source (dictionary
//  entry's source)} — a login tried on a live service: the successful one, or the last failure.
inline constexpr const char* kLoginAttempt = "login_attempt";
// {service, endpoint, method, result: lockout|slowdown|disconnect|none|no-password-login|
//  undetermined, failures, first_latency_ms, last_latency_ms, reason} — how a live service met a
//  run of failed logins (5.1-5).
inline constexpr const char* kBruteForceResistance = "brute_force_resistance";
// {service, endpoint, kind: summary|crash|hang|reflected|executed|traversal, payload (id), batch,
//  payloads (summary: how many sent), batches, detail} — the robustness campaign (--robustness).
inline constexpr const char* kRobustnessResult = "robustness_result";

// --- traffic captures (traffic/) ---
// Every traffic fact carries `capture` (the file) and `device` (the address whose traffic it is:
// --device, else the private side of the flow, else the side that opened it).
// {capture, link_type, packets, ip_packets, bytes, malformed, flows, devices: [...], complete:
//  bool, error, bytes_not_kept (beyond the per-stream cap)} — one per capture read.
inline constexpr const char* kTrafficCapture = "traffic_capture";
// {device, address, port, transport: tcp|udp, direction: outbound|inbound, name (DNS answer, TLS
//  SNI or HTTP Host), names: [...], protocol (nDPI), protocols: [...], encrypted: bool (every flow
//  was TLS/SSH/QUIC/DTLS), cleartext_flows, encrypted_flows, bytes_out, bytes_in (payload bytes
//  from/to the device), packets, flows, first_packet} — a peer the device talks to.
inline constexpr const char* kDestination = "destination";
// {protocol: telnet|ftp|pop3|imap|smtp|http|mqtt, method: login|user-pass|apop|plain|basic|digest|
//  form|connect, user, secret(redacted), device, server, port, packet} — a credential on the wire.
inline constexpr const char* kCleartextCredential = "cleartext_credential";
// {type: email|phone|gps|wifi-ssid|wifi-psk|mac, value(redacted), protocol, device, peer, port,
//  direction: sent|received, packet} — personal data in a cleartext payload.
inline constexpr const char* kPersonalData = "personal_data";
// {device, server, port, sni, alpn: [...], client_version, offered_versions: [...], version (e.g.
//  TLSv1.2), version_id, cipher (IANA name), cipher_id, weak_cipher: bool, certificates: [{subject,
//  issuer, not_before, not_after, expired, self_signed, key_type, key_bits, sig_alg, fingerprint}],
//  packet} — one TLS handshake (certificates only below TLS 1.3, which encrypts them).
inline constexpr const char* kTlsSession = "tls_session";
// {device, server, port, name (the question), answers: [addresses and CNAME targets], answered:
//  bool, rcode (NOERROR, NXDOMAIN...; "" unanswered), queries (how often it was asked on the
//  flow), packet} — a name the device looked up over DNS (port 53), one per name and flow.
inline constexpr const char* kDnsLookup = "dns_lookup";
// {device, server, port, method, host, path (query values that look like secrets redacted),
//  status, content_type, bytes (declared or seen), payload (what the body's magic says: see
//  plain_download, "" for anything else), packet} — one cleartext HTTP request and its response.
inline constexpr const char* kHttpRequest = "http_request";
// {protocol: http|ftp, url, host, path, method, status, content_type, bytes, firmware_like: bool
//  (the path, the type or the body says firmware or update), why, payload (the body's magic:
//  gzip, xz, bzip2, zip, 7z, tar, cpio, ar/ipk, squashfs, uimage, fit, trx, ubi, elf, pe, mach-o,
//  shell-script; "" unknown), payload_kind (archive|image|executable|""), device, server, port,
//  packet} — a file fetched without TLS.
inline constexpr const char* kPlainDownload = "plain_download";
// {protocol: mqtt|coap|http, device, server, port, name, topics: [...] (MQTT topics, CoAP or
//  HTTP paths), messages, bytes, sample(redacted personal data), packet} — telemetry sent in
//  cleartext.
inline constexpr const char* kCleartextTelemetry = "cleartext_telemetry";

}  // namespace iotcop::facts
