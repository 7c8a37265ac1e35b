// File: traffic/stream.h
// One direction of a TCP connection reassembled in sequence order, with bounded memory: the first
// `cap` bytes are kept for the protocol parsers, bytes beyond are counted and dropped; segments
// that arrive ahead of a gap wait (within the cap) until the gap is filled; retransmissions and
// overlaps keep the first copy. Each kept byte can be traced to the packet that carried it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"

namespace iotcop::traffic {

class Stream {
 public:
  explicit Stream(std::uint64_t cap = 256 * 1024) : cap_(cap) {}

  // A SYN fixes the initial sequence number (data starts at seq + 1).
  void Syn(std::uint32_t seq);
  // A segment's payload with its sequence number and its 1-based packet number.
  void Add(std::uint32_t seq, ByteView payload, std::uint64_t packet);

  std::string_view data() const { return data_; }
  // Packet that carried the byte at `offset` of data() (0 when unknown).
  std::uint64_t PacketAt(std::uint64_t offset) const;
  std::uint64_t beyond_cap() const { return beyond_cap_; }  // bytes counted, not kept
  std::uint64_t gaps() const { return gaps_; }              // segments lost to a gap never filled
  std::uint64_t held() const { return data_.capacity() + pending_bytes_; }
  // Gives the memory back (the counts stay).
  void Release();
  // Segments left waiting for a gap that was never filled are appended after a marker-free join:
  // call before reading data() at the end of the stream.
  void Flush();

 private:
  void Append(std::uint64_t offset, ByteView payload, std::uint64_t packet);
  void Drain();

  std::uint64_t cap_;
  bool have_isn_ = false;
  std::uint32_t isn_ = 0;
  std::uint64_t end_ = 0;  // contiguous end (relative offset), may pass cap_
  std::string data_;
  std::map<std::uint64_t, std::pair<std::string, std::uint64_t>>
      pending_;  // offset -> data, packet
  std::uint64_t pending_bytes_ = 0;
  std::uint64_t beyond_cap_ = 0;
  std::uint64_t gaps_ = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> packets_;  // (offset, packet)
};

}  // namespace iotcop::traffic
