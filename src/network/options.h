// File: network/options.h
// What the user says about a live-device assessment (`assess --host`): filled by the CLI, read by
// network/assess.cc.
#pragma once

namespace iotcop::network {

struct Options {};

}  // namespace iotcop::network
