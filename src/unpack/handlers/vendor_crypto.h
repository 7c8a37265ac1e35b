// File: unpack/handlers/vendor_crypto.h
// OpenSSL EVP helpers for the handlers that check digests or decrypt (vendor containers, ESP
// images and partition tables): message digests (SHA-512, SHA-256, MD5) over views, and
// block-cipher decryption without padding streamed in kStreamChunk pieces, so that a handler
// decrypts a mapped image into a blob without holding it in memory.
#pragma once

#include <functional>
#include <memory>
#include <string>

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

// Decrypts `in` (a whole number of cipher blocks) with cipher `name` ("AES-128-CBC"), `key` and
// `iv`, without padding, handing each decrypted piece (at most kStreamChunk bytes) to `sink` in
// order. Stops at the first error of OpenSSL or of the sink.
Status DecryptStream(const char* name, ByteView key, ByteView iv, ByteView in,
                     const std::function<Status(ByteView)>& sink);

}  // namespace iotcop::unpack::handlers
