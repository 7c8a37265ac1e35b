// File: traffic/analyzers/analyzer.h
// What a protocol analyzer gets from the flow tracker (traffic/analyzer.cc) and how it answers.
// One analyzer per protocol, one file each in this folder, listed in analyzers.def and run in that
// order (which is also the order of the facts):
// - a stream analyzer reads a TCP flow once it has ended (both FINs, a RST or the end of the
//   capture): both directions reassembled, each byte traceable to the packet that carried it.
//   Applies() says whether it reads the flow; Analyse() may end the flow's analysis (Next::kStop:
//   the analyzers after it do not see the flow, as an encrypted one has nothing for them);
// - a datagram analyzer reads each datagram of a UDP flow as it comes (Applies() per datagram),
//   and is told when the flow ends (End(), for what it counted over the flow).
// Facts go through the Context: it bounds each kind per capture and builds the evidence (capture,
// packet number, "a:p -> b:p/tcp", bounded excerpt). Secrets and personal data are redacted
// before they reach a fact or an excerpt.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/fact.h"
#include "traffic/packet.h"
#include "traffic/stream.h"

namespace iotcop::traffic::analyzers {

// One flow as the analyzers see it.
struct FlowInfo {
  Address client, server, device;
  std::uint16_t cport = 0, sport = 0;
  std::uint8_t proto = 0;  // kTcp | kUdp
  bool device_is_client = true;
  std::uint64_t first_packet = 0;  // the packet that opened it: one flow per packet number
  // nDPI's name: at the flow's end, "Unknown" when nDPI could not tell; while datagrams come, ""
  // until nDPI has decided.
  std::string protocol;
  // What the analyzers learn, for the destination facts.
  std::string name;  // SNI or HTTP Host
  bool encrypted = false;
};

// A TCP flow at its end, as the stream analyzers read it.
struct Conversation {
  FlowInfo& flow;
  const Stream& client;  // bytes from the connecting side (Stream::Flush done)
  const Stream& server;  // the other direction
  // Set by an analyzer that recognised the application protocol and read its payload for personal
  // data in its own terms (HTTP requests, MQTT publications): the generic scan then leaves it.
  bool payload_scanned = false;
};

// One datagram of a UDP flow.
struct Datagram {
  FlowInfo& flow;
  const Packet& packet;
  bool from_client = true;
  std::uint64_t number = 0;  // 1-based packet number
};

// Where the analyzers of one capture put what they find.
class Context {
 public:
  Context(std::string capture, std::size_t max_items, FactStore& facts)
      : capture_(std::move(capture)), max_items_(max_items), facts_(facts) {}

  // A fact of this capture (the value gets "capture" and, when the evidence has one, "packet"); at
  // most max_items of each kind, the others are counted in dropped().
  void AddFact(const char* kind, nlohmann::json value, Evidence ev);
  // Evidence of flow `f` at `packet` (0: none), sent by the client (or by the server), with a
  // bounded excerpt.
  Evidence At(const FlowInfo& f, std::uint64_t packet, std::string excerpt, bool from_client) const;
  const std::map<std::string, std::size_t>& dropped() const { return dropped_; }

  // Names of the addresses in DNS answers (dns.cc), for the destination facts.
  std::map<Address, std::string> dns_names;

 private:
  std::string capture_;
  std::size_t max_items_;
  FactStore& facts_;
  std::map<std::string, std::size_t> per_kind_, dropped_;
};

enum class Next { kContinue, kStop };

class StreamAnalyzer {
 public:
  virtual ~StreamAnalyzer() = default;
  virtual bool Applies(const Conversation& c) const = 0;
  virtual Next Analyse(Context& cx, Conversation& c) = 0;
};

class DatagramAnalyzer {
 public:
  virtual ~DatagramAnalyzer() = default;
  virtual bool Applies(const Datagram& d) const = 0;
  virtual void Analyse(Context& cx, const Datagram& d) = 0;
  // The flow ended (called for every UDP flow, in the order flows end).
  virtual void End(Context& cx, FlowInfo& f) = 0;
};

// The factories of analyzers.def (one instance of each per capture).
#define IOTCOP_STREAM_ANALYZER(fn) std::unique_ptr<StreamAnalyzer> fn();
#define IOTCOP_DATAGRAM_ANALYZER(fn) std::unique_ptr<DatagramAnalyzer> fn();
#include "traffic/analyzers/analyzers.def"
#undef IOTCOP_STREAM_ANALYZER
#undef IOTCOP_DATAGRAM_ANALYZER

// Helpers shared by several analyzers.

// True when nDPI's name is that of an encrypted protocol (TLS, SSH, QUIC...) (encrypted.cc).
bool EncryptedProtocol(std::string_view name);
// Why a download looks like an update ("" when it does not): its path (a firmware file name,
// update/upgrade/firmware/ota words) or its host name (http.cc; also read by ftp.cc).
std::string UpdateLike(std::string_view path, std::string_view host);
// What a body is by its first bytes (http.cc): its magic's name (gzip, xz, bzip2, zip, 7z, zstd,
// cpio, ar, tar, squashfs, uimage, fit, trx, ubi, elf, mach-o, pe, shell-script), its kind ("an
// archive", "a firmware image", "an executable") and whether it is a firmware image; empty for
// anything else. Needs the first 512 bytes for tar and PE.
struct PayloadMagic {
  std::string name, kind;
  bool image = false;
};
PayloadMagic IdentifyPayload(std::string_view body_start);
// The target with the values of query parameters that look like secrets (named like a password,
// token, key or session, or long random-looking values) redacted (http.cc).
std::string RedactQuery(std::string_view target);
// Personal data in `text` (FindPersonalData) as personal_data facts of flow `f`, each with a
// redacted excerpt. `stream`: the stream `text` is the data of (each hit's packet from its map);
// else every hit is at `packet` (personal_data.cc).
void PersonalDataIn(Context& cx, const FlowInfo& f, std::string_view text, const Stream* stream,
                    std::string protocol, std::uint64_t packet);

}  // namespace iotcop::traffic::analyzers
