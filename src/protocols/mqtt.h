// File: protocols/mqtt.h
// MQTT 3.1, 3.1.1 and 5 control packets in a reassembled client stream: CONNECT (client id,
// username, password; the will skipped) and PUBLISH (topic, payload). Remaining lengths and
// string lengths are checked against the bytes present; a packet that does not fit ends the parse.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace iotcop::protocols {

struct MqttPacket {
  int type = 0;  // 1 CONNECT, 3 PUBLISH ...
  int level = 0;
  std::string client_id, user, password, topic, payload;
  bool has_user = false, has_password = false;
  std::uint64_t offset = 0;
};
// Packets one after another, at most `max`; a client stream opens with CONNECT.
std::vector<MqttPacket> ParseMqtt(std::string_view stream, std::size_t max = 512);

}  // namespace iotcop::protocols
