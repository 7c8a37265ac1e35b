// File: protocols/mqtt.cc
// MQTT 3.1, 3.1.1 and 5 control packets in a reassembled stream: CONNECT (client id, username,
// password, will skipped) and PUBLISH (topic, payload). Remaining lengths and string lengths are
// checked against the bytes present; a packet that does not fit ends the parse.
#include "protocols/mqtt.h"

#include "core/bytes.h"

namespace iotcop::protocols {
namespace {

constexpr std::size_t kMqttMaxString = 4096;

// MQTT variable byte integer (at most 4 bytes).
Result<std::uint32_t> MqttVarInt(ByteReader& r) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    auto b = r.Read<std::uint8_t>();
    if (!b) return b.error();
    v |= static_cast<std::uint32_t>(*b & 0x7f) << (7 * i);
    if (!(*b & 0x80)) return v;
  }
  return MakeError(Errc::kCorrupt, "MQTT variable integer longer than 4 bytes");
}

Result<std::string> MqttString(ByteReader& r) {
  auto n = r.Read<std::uint16_t>(Endian::kBig);
  if (!n) return n.error();
  auto b = r.Bytes(*n);
  if (!b) return b.error();
  return std::string(AsString(*b).substr(0, kMqttMaxString));
}

// MQTT 5 properties: a length then that many bytes (skipped).
Status MqttSkipProperties(ByteReader& r) {
  auto n = MqttVarInt(r);
  if (!n) return n.error();
  return r.Skip(*n);
}

bool MqttConnect(ByteView body, MqttPacket& m) {
  ByteReader r(body);
  auto name = MqttString(r);
  if (!name || (*name != "MQTT" && *name != "MQIsdp")) return false;
  auto level = r.Read<std::uint8_t>();
  auto flags = level ? r.Read<std::uint8_t>() : Result<std::uint8_t>(level.error());
  if (!flags || !r.Skip(2)) return false;  // keep-alive
  m.level = *level;
  if (m.level >= 5 && !MqttSkipProperties(r)) return false;
  auto id = MqttString(r);
  if (!id) return false;
  m.client_id = *id;
  if (*flags & 0x04) {  // will
    if (m.level >= 5 && !MqttSkipProperties(r)) return false;
    if (!MqttString(r) || !MqttString(r)) return false;
  }
  if (*flags & 0x80) {
    auto u = MqttString(r);
    if (!u) return false;
    m.user = *u;
    m.has_user = true;
  }
  if (*flags & 0x40) {
    auto p = MqttString(r);
    if (!p) return false;
    m.password = *p;
    m.has_password = true;
  }
  return true;
}

bool MqttPublish(ByteView body, std::uint8_t flags, int level, MqttPacket& m) {
  ByteReader r(body);
  auto topic = MqttString(r);
  if (!topic) return false;
  m.topic = *topic;
  if (((flags >> 1) & 3) != 0 && !r.Skip(2)) return false;  // packet identifier
  if (level >= 5 && !MqttSkipProperties(r)) return false;
  auto rest = r.Bytes(r.remaining());
  m.payload = std::string(AsString(*rest).substr(0, kMqttMaxString));
  return true;
}

}  // namespace

std::vector<MqttPacket> ParseMqtt(std::string_view stream, std::size_t max) {
  std::vector<MqttPacket> out;
  ByteReader r(AsBytes(stream));
  int level = 4;
  while (r.remaining() >= 2 && out.size() < max) {
    const std::uint64_t start = r.pos();
    auto first = r.Read<std::uint8_t>();
    auto len = MqttVarInt(r);
    if (!first || !len) break;
    auto body = r.Bytes(*len);
    if (!body) break;
    MqttPacket m;
    m.type = *first >> 4;
    m.offset = start;
    if (m.type == 0 || (out.empty() && m.type != 1)) break;  // a client stream opens with CONNECT
    if (m.type == 1) {
      if (!MqttConnect(*body, m)) break;
      level = m.level;
    } else if (m.type == 3) {
      m.level = level;
      if (!MqttPublish(*body, *first & 0x0f, level, m)) break;
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace iotcop::protocols
