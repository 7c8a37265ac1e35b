// File: unpack/handlers/vendor_crypto.h
// OpenSSL EVP helpers for the handlers that check digests or decrypt (vendor containers, ESP
// images and partition tables): message digests (SHA-512, SHA-256, MD5) over views, and
// block-cipher decryption without padding streamed in kStreamChunk pieces, so that a handler
// decrypts a mapped image into a blob without holding it in memory.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace iotcop::unpack::handlers {

// An incremental digest by OpenSSL name ("SHA512", "MD5").
class EvpDigest {
 public:
  explicit EvpDigest(const char* name);
  ~EvpDigest();
  EvpDigest(const EvpDigest&) = delete;
  EvpDigest& operator=(const EvpDigest&) = delete;
  void Update(ByteView data);
  // The digest's bytes; empty when OpenSSL refused the algorithm.
  std::string Final();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The digest of `data` in one call.
std::string DigestOf(const char* name, ByteView data);

// The key and IV bytes `openssl enc -md NAME -k PASSWORD` derives from `password` and the 8-byte
// salt (EVP_BytesToKey, one iteration): D1 = md(password || salt), Di = md(Di-1 || password ||
// salt), concatenated to `len` bytes (key first, then IV). Empty when the digest is refused.
std::string BytesToKey(const char* md, std::string_view password, ByteView salt, std::size_t len);

// Decrypts `in` (a whole number of cipher blocks) with cipher `name` ("AES-128-CBC"), `key` and
// `iv`, without padding, handing each decrypted piece (at most kStreamChunk bytes) to `sink` in
// order. Stops at the first error of OpenSSL or of the sink.
Status DecryptStream(const char* name, ByteView key, ByteView iv, ByteView in,
                     const std::function<Status(ByteView)>& sink);

// Decrypts the few blocks of `in` into `out` (in.size() bytes), as DecryptStream does: for the
// probes a handler makes in Identify. False when OpenSSL refused.
bool DecryptBlocks(const char* name, ByteView key, ByteView iv, ByteView in, std::uint8_t* out);

}  // namespace iotcop::unpack::handlers
