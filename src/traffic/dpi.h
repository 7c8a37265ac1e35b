// File: traffic/dpi.h
// Protocol identification with nDPI (libndpi 4.2): one detection module per capture, one small
// state per flow fed with the flow's first packets until nDPI has decided, then freed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/bytes.h"

struct ndpi_detection_module_struct;  // nDPI's, opaque here

namespace iotcop::traffic {

class Dpi {
 public:
  Dpi();
  ~Dpi();
  Dpi(const Dpi&) = delete;
  Dpi& operator=(const Dpi&) = delete;

  class Flow;
  struct FlowDeleter {
    void operator()(Flow* f) const;
  };
  using FlowPtr = std::unique_ptr<Flow, FlowDeleter>;

  bool ok() const { return module_ != nullptr; }
  FlowPtr NewFlow() const;
  // Feeds one IP packet (from its IP header); true once nDPI has decided (no more packets needed).
  bool Process(Flow& flow, ByteView ip, std::uint64_t time_ms) const;
  // The protocol name ("TLS", "HTTP", "MQTT", "DNS", "Unknown"...), guessing from ports when the
  // packets did not decide it.
  std::string Name(Flow& flow) const;

 private:
  ::ndpi_detection_module_struct* module_ = nullptr;
};

// TLS cipher suites by nDPI's tables: the IANA name (or "0x1234"), and whether it is insecure
// (nDPI's judgement, or NULL, export, anonymous, RC4, DES/3DES, MD5).
std::string TlsCipherName(std::uint16_t id);
bool WeakTlsCipher(std::uint16_t id);

}  // namespace iotcop::traffic
