// File: credentials/keys.h
// Finds and parses key material in a file's bytes: private keys in PEM (PKCS#1, PKCS#8, EC,
// encrypted), DER, OpenSSH, Dropbear and PuTTY formats, and X.509 certificates (PEM or DER).
// Only a key that parses is a key: a "-----BEGIN RSA PRIVATE KEY-----" constant inside a crypto
// library has no valid body and yields nothing. OpenSSL does the PEM/DER/X.509 parsing; the SSH
// formats are read here with ByteReader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace iotcop::credentials {

struct ParsedKey {
  std::string type;    // rsa | ec | ed25519 | ed448 | dsa | unknown
  std::string format;  // pem | der | openssh | dropbear | putty
  std::string detail;  // pkcs1 | pkcs8 | sec1 | encrypted-pkcs8 | ...
  int bits = 0;        // 0 when unknown (encrypted PKCS#8)
  bool encrypted = false;
  // SHA-256 (hex) of the public key's SubjectPublicKeyInfo DER when it can be derived, so one key
  // has one fingerprint in every format; otherwise "ssh:" + SHA-256 of the SSH public key blob, or
  // "blob:" + SHA-256 of the encrypted body.
  std::string fingerprint;
  std::uint64_t offset = 0;
};

struct ParsedCertificate {
  std::string subject, issuer;
  std::string not_before, not_after;  // ISO 8601 UTC
  bool expired = false;
  bool self_signed = false;
  std::string key_type;
  int key_bits = 0;
  std::string sig_alg;          // e.g. sha256WithRSAEncryption
  std::string fingerprint;      // SHA-256 of the certificate DER
  std::string key_fingerprint;  // as ParsedKey::fingerprint
  std::uint64_t offset = 0;
};

// Every private key in `data` (PEM blocks anywhere; DER, Dropbear and PuTTY when the whole file is
// one). Bounded: at most 64 keys, PEM blocks up to 64 KiB.
std::vector<ParsedKey> FindPrivateKeys(std::string_view data);
// Every certificate in `data` (PEM blocks anywhere, or a whole-file DER certificate); at most 512.
std::vector<ParsedCertificate> FindCertificates(std::string_view data);

// The fields of a certificate as every fact that carries one spells them (subject, issuer,
// not_before, not_after, expired, self_signed, key_type, key_bits, sig_alg, fingerprint): firmware
// `certificate` facts, live TLS endpoints and TLS sessions seen in captures.
nlohmann::json CertificateFields(const ParsedCertificate& c);

// SHA-256 (hex) of the SubjectPublicKeyInfo DER of a public key given as PEM (tests, rules).
std::string PublicKeyFingerprintFromPem(std::string_view pem);

}  // namespace iotcop::credentials
