// File: traffic/options.h
// What the user says about a traffic analysis (`assess --pcap`, `--iface`): filled by the CLI, read
// by traffic/assess.cc.
#pragma once

namespace iotcop::traffic {

struct Options {};

}  // namespace iotcop::traffic
