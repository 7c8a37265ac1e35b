// File: core/result.h
// Result<T>: the return type of every parser of untrusted input. An Error names what failed, the
// input it failed on and, where known, the byte offset, so a user can find the spot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace iotcop {

enum class Errc {
  kNotThisFormat,  // cheap, expected: a candidate magic that is not a real header
  kTruncated,      // the data ends before a structure does
  kCorrupt,        // a checksum, length or field that cannot be right
  kUnsupported,    // a real variant this build does not handle
  kLimitExceeded,  // a safety limit (bytes, files, depth, ratio) stopped the work
  kIo,             // the operating system refused a read or write
  kTimeout,
  kInvalidArgument,  // the user asked for something impossible
  kInternal,         // a bug: reported, never fatal to the rest of the run
};

const char* ErrcName(Errc code);

struct Error {
  Errc code = Errc::kInternal;
  std::string what;
  std::string input;                    // file path, host:port, capture name...
  std::optional<std::uint64_t> offset;  // byte offset (or packet number) in `input`

  // "input: at offset 0x1f4: what" — the one line a user sees.
  std::string Describe() const;
};

inline Error MakeError(Errc code, std::string what, std::string input = {},
                       std::optional<std::uint64_t> offset = std::nullopt) {
  return Error{code, std::move(what), std::move(input), offset};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)) {}  // NOLINT
  bool ok() const { return !err_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *err_; }

 private:
  std::optional<Error> err_;
};

using Status = Result<void>;
inline Status Ok() { return {}; }

}  // namespace iotcop
