// File: core/bytes.h
// Bounds-checked reading of untrusted bytes. Every parser reads through ByteReader: no length
// field is trusted, every addition is checked, and a short read is an Error naming the offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace iotcop {

using ByteView = std::span<const std::uint8_t>;

inline std::string_view AsString(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// a + b without wrapping; nullopt on overflow.
inline std::optional<std::uint64_t> CheckedAdd(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
inline std::optional<std::uint64_t> CheckedMul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// True when [off, off+len) lies within a buffer of `size` bytes.
inline bool Fits(std::uint64_t size, std::uint64_t off, std::uint64_t len) {
  return off <= size && len <= size - off;
}

// Sub-view [off, off+len) of `data`, or nullopt when it does not fit.
inline std::optional<ByteView> Slice(ByteView data, std::uint64_t off, std::uint64_t len) {
  if (!Fits(data.size(), off, len)) return std::nullopt;
  return data.subspan(static_cast<std::size_t>(off), static_cast<std::size_t>(len));
}

enum class Endian { kLittle, kBig };

template <class T>
T LoadLe(const std::uint8_t* p) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(T(p[i]) << (8 * i));
  return v;
}
template <class T>
T LoadBe(const std::uint8_t* p) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | p[i]);
  return v;
}

// Sequential reader over a view; `base` is the view's offset in the whole input, so errors
// report absolute offsets.
class ByteReader {
 public:
  ByteReader(ByteView data, std::string input = {}, std::uint64_t base = 0)
      : data_(data), input_(std::move(input)), base_(base) {}

  std::uint64_t pos() const { return pos_; }
  std::uint64_t size() const { return data_.size(); }
  std::uint64_t remaining() const { return data_.size() - pos_; }
  ByteView data() const { return data_; }

  Status Seek(std::uint64_t pos) {
    if (pos > data_.size()) return Short(pos - data_.size());
    pos_ = pos;
    return Ok();
  }
  Status Skip(std::uint64_t n) {
    if (n > remaining()) return Short(n);
    pos_ += n;
    return Ok();
  }

  template <class T>
  Result<T> Read(Endian e = Endian::kLittle) {
    if (sizeof(T) > remaining()) return Short(sizeof(T));
    const std::uint8_t* p = data_.data() + pos_;
    pos_ += sizeof(T);
    return e == Endian::kLittle ? LoadLe<T>(p) : LoadBe<T>(p);
  }
  Result<ByteView> Bytes(std::uint64_t n) {
    if (n > remaining()) return Short(n);
    ByteView v = data_.subspan(static_cast<std::size_t>(pos_), static_cast<std::size_t>(n));
    pos_ += n;
    return v;
  }

 private:
  Error Short(std::uint64_t wanted) const {
    return MakeError(
        Errc::kTruncated,
        "wanted " + std::to_string(wanted) + " bytes, " + std::to_string(remaining()) + " left",
        input_, base_ + pos_);
  }

  ByteView data_;
  std::string input_;
  std::uint64_t base_ = 0;
  std::uint64_t pos_ = 0;
};

// Shannon entropy in bits per byte (0..8).
double Entropy(ByteView data);

}  // namespace iotcop
