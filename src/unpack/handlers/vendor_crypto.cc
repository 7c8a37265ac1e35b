// File: unpack/handlers/vendor_crypto.cc
// OpenSSL EVP digests and unpadded block-cipher decryption for the vendor container handlers.
#include "unpack/handlers/vendor_crypto.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "unpack/handlers/common.h"

namespace iotcop::unpack::handlers {

struct EvpDigest::State {
  EVP_MD_CTX* ctx = nullptr;
  bool ok = false;
};

EvpDigest::EvpDigest(const char* name) : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  const EVP_MD* md = EVP_get_digestbyname(name);
  state_->ok = state_->ctx && md && EVP_DigestInit_ex(state_->ctx, md, nullptr) == 1;
}

EvpDigest::~EvpDigest() { EVP_MD_CTX_free(state_->ctx); }

void EvpDigest::Update(ByteView data) {
  // EVP takes a size_t length; feed in pieces so that no single call is unbounded.
  while (state_->ok && !data.empty()) {
    const std::size_t n = std::min<std::size_t>(data.size(), std::size_t{1} << 30);
    state_->ok = EVP_DigestUpdate(state_->ctx, data.data(), n) == 1;
    data = data.subspan(n);
  }
}

std::string EvpDigest::Final() {
  if (!state_->ok) return {};
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  state_->ok = EVP_DigestFinal_ex(state_->ctx, out, &n) == 1;
  return state_->ok ? std::string(reinterpret_cast<const char*>(out), n) : std::string();
}

std::string DigestOf(const char* name, ByteView data) {
  EvpDigest d(name);
  d.Update(data);
  return d.Final();
}

std::string BytesToKey(const char* md, std::string_view password, ByteView salt, std::size_t len) {
  std::string out, prev;
  while (out.size() < len) {
    EvpDigest d(md);
    d.Update(AsBytes(prev));
    d.Update(AsBytes(password));
    d.Update(salt);
    prev = d.Final();
    if (prev.empty()) return {};
    out += prev;
  }
  out.resize(len);
  return out;
}

Status DecryptStream(const char* name, ByteView key, ByteView iv, ByteView in,
                     const std::function<Status(ByteView)>& sink) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free);
  const EVP_CIPHER* cipher = EVP_get_cipherbyname(name);
  if (!ctx || !cipher) return MakeError(Errc::kInternal, std::string("cipher ") + name);
  if (static_cast<std::size_t>(EVP_CIPHER_get_key_length(cipher)) != key.size() ||
      static_cast<std::size_t>(EVP_CIPHER_get_iv_length(cipher)) != iv.size()) {
    return MakeError(Errc::kInternal, std::string("key or IV size for ") + name);
  }
  if (EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, key.data(), iv.data()) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
    return MakeError(Errc::kInternal, std::string("cipher init ") + name);
  }
  const std::size_t block = static_cast<std::size_t>(EVP_CIPHER_get_block_size(cipher));
  if (block == 0 || in.size() % block != 0) {
    return MakeError(Errc::kCorrupt, "ciphertext is not a whole number of blocks");
  }
  std::vector<std::uint8_t> out(kStreamChunk + block);
  while (!in.empty()) {
    const std::size_t n = std::min<std::size_t>(in.size(), kStreamChunk);
    int got = 0;
    if (EVP_DecryptUpdate(ctx.get(), out.data(), &got, in.data(), static_cast<int>(n)) != 1) {
      return MakeError(Errc::kCorrupt, std::string("decryption failed: ") + name);
    }
    if (auto s = sink(ByteView(out.data(), static_cast<std::size_t>(got))); !s) return s;
    in = in.subspan(n);
  }
  int got = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out.data(), &got) != 1) {
    return MakeError(Errc::kCorrupt, std::string("decryption failed: ") + name);
  }
  if (got > 0) return sink(ByteView(out.data(), static_cast<std::size_t>(got)));
  return Ok();
}

bool DecryptBlocks(const char* name, ByteView key, ByteView iv, ByteView in, std::uint8_t* out) {
  std::size_t got = 0;
  auto s = DecryptStream(name, key, iv, in, [&](ByteView piece) {
    const std::size_t n = std::min(piece.size(), in.size() - got);
    std::memcpy(out + got, piece.data(), n);
    got += n;
    return Ok();
  });
  return s && got == in.size();
}

}  // namespace iotcop::unpack::handlers
