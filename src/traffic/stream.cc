// File: traffic/stream.cc
// TCP reassembly of one direction (traffic/stream.h).
#include "traffic/stream.h"

#include <algorithm>
#include <cstdint>

namespace iotcop::traffic {
namespace {
constexpr std::size_t kMaxPacketMarks = 8192;
}

void Stream::Syn(std::uint32_t seq) {
  if (have_isn_) return;
  have_isn_ = true;
  isn_ = seq + 1;
}

void Stream::Add(std::uint32_t seq, ByteView payload, std::uint64_t packet) {
  if (payload.empty()) return;
  if (!have_isn_) {  // capture started mid-connection: the first data we see is offset 0
    have_isn_ = true;
    isn_ = seq;
  }
  // Relative offset within the 4 GiB window following the ISN; a segment from before the ISN
  // (negative, a stale retransmission) is dropped.
  const std::uint32_t rel = seq - isn_;
  if (rel >= 0x80000000u) return;
  const std::uint64_t base = end_ & ~0xffffffffull;
  std::uint64_t offset = base + rel;
  if (offset + 0x80000000ull < end_) offset += 0x100000000ull;  // sequence wrapped
  if (offset + payload.size() <= end_) return;                  // all seen before
  if (offset > end_) {
    // Ahead of a gap: hold it while it fits under the cap, otherwise count it.
    if (offset < cap_ && pending_bytes_ < cap_ && !pending_.count(offset)) {
      pending_bytes_ += payload.size();
      pending_.emplace(offset, std::make_pair(std::string(AsString(payload)), packet));
    } else if (offset >= cap_) {
      beyond_cap_ += payload.size();
    }
    return;
  }
  Append(offset, payload, packet);
  Drain();
}

void Stream::Append(std::uint64_t offset, ByteView payload, std::uint64_t packet) {
  const std::uint64_t skip = end_ - offset;  // the overlap already kept
  ByteView fresh = payload.subspan(static_cast<std::size_t>(skip));
  if (end_ < cap_) {
    const std::size_t keep =
        static_cast<std::size_t>(std::min<std::uint64_t>(fresh.size(), cap_ - end_));
    if (packets_.size() < kMaxPacketMarks) packets_.emplace_back(data_.size(), packet);
    data_.append(AsString(fresh.first(keep)));
    beyond_cap_ += fresh.size() - keep;
  } else {
    beyond_cap_ += fresh.size();
  }
  end_ += fresh.size();
}

void Stream::Drain() {
  while (!pending_.empty()) {
    auto it = pending_.begin();
    if (it->first > end_) break;
    std::string seg = std::move(it->second.first);
    const std::uint64_t off = it->first, pkt = it->second.second;
    pending_bytes_ -= seg.size();
    pending_.erase(it);
    if (off + seg.size() > end_) Append(off, AsBytes(seg), pkt);
  }
}

void Stream::Flush() {
  // Segments after a gap that never filled: keep them after the gap so the parsers still see them
  // (they resynchronise on line and record boundaries).
  while (!pending_.empty()) {
    auto it = pending_.begin();
    ++gaps_;
    end_ = std::max(end_, it->first);
    Drain();
  }
}

std::uint64_t Stream::PacketAt(std::uint64_t offset) const {
  auto it = std::upper_bound(packets_.begin(), packets_.end(),
                             std::pair<std::uint64_t, std::uint64_t>(offset, UINT64_MAX));
  if (it == packets_.begin()) return 0;
  return std::prev(it)->second;
}

void Stream::Release() {
  std::string().swap(data_);
  pending_.clear();
  pending_bytes_ = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>>().swap(packets_);
}

}  // namespace iotcop::traffic
