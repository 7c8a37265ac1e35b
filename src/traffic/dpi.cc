// File: traffic/dpi.cc
// The nDPI wrapper (traffic/dpi.h). nDPI's headers are C with GNU extensions: they are included
// here only, with -Wpedantic silenced for them.
#include "traffic/dpi.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wunused-parameter"
extern "C" {
#include <ndpi/ndpi_api.h>
}
#pragma GCC diagnostic pop

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace iotcop::traffic {

class Dpi::Flow {
 public:
  ndpi_flow_struct* state = nullptr;
  ndpi_protocol protocol = NDPI_PROTOCOL_NULL;
  bool decided = false;
};

void Dpi::FlowDeleter::operator()(Flow* f) const {
  if (!f) return;
  if (f->state) ndpi_flow_free(f->state);
  delete f;
}

Dpi::Dpi() {
  module_ = ndpi_init_detection_module(ndpi_no_prefs);
  if (!module_) return;
  NDPI_PROTOCOL_BITMASK all;
  NDPI_BITMASK_SET_ALL(all);
  ndpi_set_protocol_detection_bitmask2(module_, &all);
  ndpi_finalize_initialization(module_);
}

Dpi::~Dpi() {
  if (module_) ndpi_exit_detection_module(module_);
}

Dpi::FlowPtr Dpi::NewFlow() const {
  FlowPtr f(new Flow);
  if (!module_) return f;
  f->state = static_cast<ndpi_flow_struct*>(
      ndpi_flow_malloc(ndpi_detection_get_sizeof_ndpi_flow_struct()));
  if (f->state) std::memset(f->state, 0, ndpi_detection_get_sizeof_ndpi_flow_struct());
  return f;
}

bool Dpi::Process(Flow& flow, ByteView ip, std::uint64_t time_ms) const {
  if (!module_ || !flow.state || flow.decided) return true;
  if (ip.empty() || ip.size() > 0xffff) return false;
  flow.protocol = ndpi_detection_process_packet(module_, flow.state, ip.data(),
                                                static_cast<unsigned short>(ip.size()), time_ms);
  if (flow.protocol.app_protocol != NDPI_PROTOCOL_UNKNOWN &&
      !ndpi_extra_dissection_possible(module_, flow.state)) {
    flow.decided = true;
  }
  return flow.decided;
}

std::string Dpi::Name(Flow& flow) const {
  if (!module_ || !flow.state) return "Unknown";
  if (flow.protocol.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
    std::uint8_t guessed = 0;
    flow.protocol = ndpi_detection_giveup(module_, flow.state, 1, &guessed);
  }
  char buf[64] = {};
  ndpi_protocol2name(module_, flow.protocol, buf, sizeof buf);
  return buf;
}

// The TLS cipher tables are nDPI's.
std::string TlsCipherName(std::uint16_t id) {
  const char* name = ndpi_cipher2str(id);
  if (name && *name && std::string_view(name) != "TLS_CIPHER_UNKNOWN") return name;
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", id);
  return buf;
}

bool WeakTlsCipher(std::uint16_t id) {
  if (ndpi_is_safe_ssl_cipher(id) == NDPI_CIPHER_INSECURE) return true;
  const std::string name = TlsCipherName(id);
  for (const char* bad : {"_NULL_", "EXPORT", "_anon_", "_RC4_", "_DES_", "3DES", "_MD5"}) {
    if (name.find(bad) != std::string::npos) return true;
  }
  return false;
}

}  // namespace iotcop::traffic
