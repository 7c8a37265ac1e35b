// File: network/intercept/rules.h
// The nftables rules that send a device's outbound TCP connections to the interception listener:
// a table of iotcop's own (never a change to the machine's other tables), added through
// libnftables and deleted when the Ruleset goes out of scope, which also happens after SIGINT and
// SIGTERM (the interception loop ends and unwinds).
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace iotcop::network::intercept {

// "local": locally generated connections (nat output hook; `device` "" = every process but
// iotcop's own, "uid:N" = processes of user N). Otherwise `mode` is the interface the device's
// traffic comes in on (nat prerouting hook) and `device` its address.
struct RuleSpec {
  std::string mode;
  std::string device;
  std::uint16_t port = 0;  // the listener
  std::uint32_t mark = 0;  // iotcop's own upstream sockets (SO_MARK): never redirected
  std::string table;       // e.g. "iotcop_intercept_1234"
};

// The ruleset as `nft -f` reads it; an error names the option that is wrong.
Result<std::string> RulesText(const RuleSpec& spec);

class Ruleset {
 public:
  // Adds the table; fails (with nft's message) when the rules cannot be loaded.
  static Result<Ruleset> Apply(const RuleSpec& spec);
  Ruleset(Ruleset&& o) noexcept : table_(std::move(o.table_)) { o.table_.clear(); }
  Ruleset& operator=(Ruleset&&) = delete;
  ~Ruleset();  // deletes the table

 private:
  explicit Ruleset(std::string table) : table_(std::move(table)) {}
  std::string table_;
};

}  // namespace iotcop::network::intercept
