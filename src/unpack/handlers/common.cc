#include "unpack/handlers/common.h"

#include <lzma.h>
#include <zlib.h>

#include <vector>

#include <fmt/format.h>

namespace iotcop::unpack::handlers {

Chunk StreamChunk(ByteView data, std::uint64_t offset, std::string description, std::any state) {
  Chunk c;
  c.offset = offset;
  c.length = data.size() - offset;
  c.length_is_bound = true;
  c.description = std::move(description);
  c.state = std::move(state);
  return c;
}

std::uint32_t Crc32(ByteView data, std::uint32_t crc) {
  std::uint64_t done = 0;
  while (done < data.size()) {
    const auto n = static_cast<uInt>(std::min<std::uint64_t>(data.size() - done, 1u << 30));
    crc = static_cast<std::uint32_t>(::crc32(crc, data.data() + done, n));
    done += n;
  }
  return crc;
}

StreamResult Inflate(ByteView in, int window_bits, BlobSink* out) {
  StreamResult r;
  z_stream z{};
  if (inflateInit2(&z, window_bits) != Z_OK) {
    r.status = MakeError(Errc::kInternal, "inflateInit2 failed");
    return r;
  }
  std::vector<std::uint8_t> buf(kStreamChunk);
  z.next_in = const_cast<Bytef*>(in.data());
  std::uint64_t fed = 0;
  int rc = Z_OK;
  while (true) {
    if (z.avail_in == 0 && fed < in.size()) {
      const auto n = static_cast<uInt>(std::min<std::uint64_t>(in.size() - fed, 1u << 30));
      z.next_in = const_cast<Bytef*>(in.data() + fed);
      z.avail_in = n;
      fed += n;
    }
    z.next_out = buf.data();
    z.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t have = buf.size() - z.avail_out;
    if (have > 0) {
      if (auto s = out->Write(ByteView(buf.data(), have)); !s) {
        r.status = s;
        break;
      }
      r.produced += have;
    }
    if (rc == Z_STREAM_END) {
      r.complete = true;
      break;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0 && fed >= in.size()) {
      r.status = MakeError(Errc::kTruncated, "compressed stream ends early", {}, z.total_in);
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      r.status = MakeError(Errc::kCorrupt, fmt::format("inflate: {}", z.msg ? z.msg : "error"), {},
                           z.total_in);
      break;
    }
  }
  r.consumed = z.total_in;
  inflateEnd(&z);
  return r;
}

StreamResult LzmaDecode(void* ptr, ByteView prefix, ByteView in, BlobSink* out) {
  auto* z = static_cast<lzma_stream*>(ptr);
  StreamResult r;
  std::vector<std::uint8_t> buf(kStreamChunk);
  z->next_in = prefix.empty() ? in.data() : prefix.data();
  z->avail_in = prefix.empty() ? in.size() : prefix.size();
  bool in_prefix = !prefix.empty();
  while (true) {
    if (z->avail_in == 0 && in_prefix) {
      in_prefix = false;
      z->next_in = in.data();
      z->avail_in = in.size();
    }
    z->next_out = buf.data();
    z->avail_out = buf.size();
    const lzma_ret rc = lzma_code(z, z->avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
    const std::size_t have = buf.size() - z->avail_out;
    if (have > 0) {
      if (auto s = out->Write(ByteView(buf.data(), have)); !s) {
        r.status = s;
        break;
      }
      r.produced += have;
    }
    if (rc == LZMA_STREAM_END) {
      r.complete = true;
      break;
    }
    if (rc == LZMA_OK) continue;
    const std::uint64_t at = z->total_in > prefix.size() ? z->total_in - prefix.size() : 0;
    if (rc == LZMA_BUF_ERROR) {
      r.status = MakeError(Errc::kTruncated, "compressed stream ends early", {}, at);
    } else if (rc == LZMA_MEMLIMIT_ERROR || rc == LZMA_MEM_ERROR) {
      r.status = MakeError(Errc::kLimitExceeded, "decoder memory limit", {}, at);
    } else {
      r.status = MakeError(Errc::kCorrupt,
                           fmt::format("lzma decoder error {}", static_cast<int>(rc)), {}, at);
    }
    break;
  }
  r.consumed = z->total_in > prefix.size() ? z->total_in - prefix.size() : 0;
  return r;
}

Status FinishStream(const StreamResult& r, std::uint64_t offset, std::uint64_t header_len,
                    ExtractContext& ctx) {
  ctx.consumed = header_len + r.consumed;
  if (r.produced == 0 && !r.complete) {
    if (!r.status) return MakeError(r.status.error().code, r.status.error().what, {}, offset);
    return MakeError(Errc::kNotThisFormat, "nothing decoded", {}, offset);
  }
  if (!r.status) {
    ctx.Warn(
        offset + header_len + r.status.error().offset.value_or(r.consumed),
        fmt::format("{}; kept the {} bytes decoded before it", r.status.error().what, r.produced));
  }
  return Ok();
}

}  // namespace iotcop::unpack::handlers
