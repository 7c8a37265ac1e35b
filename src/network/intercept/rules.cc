// File: network/intercept/rules.cc
#include "network/intercept/rules.h"

#include <fmt/format.h>
#include <nftables/libnftables.h>

#include <charconv>
#include <memory>

#include "protocols/address.h"

namespace iotcop::network::intercept {
namespace {

struct NftFree {
  void operator()(nft_ctx* c) const { nft_ctx_free(c); }
};

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 15) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

// Runs nft commands; the error is nft's own message.
Status RunNft(const std::string& commands, const std::string& what) {
  std::unique_ptr<nft_ctx, NftFree> ctx(nft_ctx_new(NFT_CTX_DEFAULT));
  if (!ctx) return MakeError(Errc::kInternal, "nft_ctx_new failed", what);
  nft_ctx_buffer_error(ctx.get());
  nft_ctx_buffer_output(ctx.get());
  if (nft_run_cmd_from_buffer(ctx.get(), commands.c_str()) != 0) {
    std::string err = nft_ctx_get_error_buffer(ctx.get());
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    return MakeError(Errc::kIo, "nftables refused the rules: " + err, what);
  }
  return Ok();
}

}  // namespace

Result<std::string> RulesText(const RuleSpec& spec) {
  if (spec.table.empty() || spec.port == 0)
    return MakeError(Errc::kInvalidArgument, "no table name or listener port");
  std::string match;
  if (spec.mode == "local") {
    if (spec.device.rfind("uid:", 0) == 0) {
      unsigned uid = 0;
      const std::string_view n = std::string_view(spec.device).substr(4);
      if (n.empty() || std::from_chars(n.data(), n.data() + n.size(), uid).ec != std::errc() ||
          std::from_chars(n.data(), n.data() + n.size(), uid).ptr != n.data() + n.size())
        return MakeError(Errc::kInvalidArgument, "not a user id", spec.device);
      match = fmt::format("meta skuid {} ", uid);
    } else if (!spec.device.empty()) {
      return MakeError(Errc::kInvalidArgument, "with --intercept local, --device is empty or uid:N",
                       spec.device);
    }
  } else {
    if (!ValidName(spec.mode))
      return MakeError(Errc::kInvalidArgument, "not an interface name", spec.mode);
    protocols::Address a;
    if (!protocols::ParseAddress(spec.device, a))
      return MakeError(Errc::kInvalidArgument, "--device must be the device's IP address",
                       spec.device);
    match = fmt::format("iifname \"{}\" {} saddr {} ", spec.mode, a.version == 4 ? "ip" : "ip6",
                        spec.device);
  }
  const bool local = spec.mode == "local";
  return fmt::format(
      "table inet {table} {{\n"
      "  chain to_iotcop {{\n"
      "    type nat hook {hook} priority {prio}; policy accept;\n"
      "    meta mark {mark:#x} return\n"
      "    {match}meta l4proto tcp {lo}redirect to :{port}\n"
      "  }}\n"
      "}}\n",
      fmt::arg("table", spec.table), fmt::arg("hook", local ? "output" : "prerouting"),
      fmt::arg("prio", local ? "-100" : "dstnat"), fmt::arg("mark", spec.mark),
      fmt::arg("match", match),
      // the listener itself is reached on loopback: never send its own port to itself
      fmt::arg("lo", local ? fmt::format("tcp dport != {} ", spec.port) : std::string()),
      fmt::arg("port", spec.port));
}

Result<Ruleset> Ruleset::Apply(const RuleSpec& spec) {
  auto text = RulesText(spec);
  if (!text) return text.error();
  if (Status st = RunNft(*text, "table inet " + spec.table); !st) return st.error();
  return Ruleset(spec.table);
}

Ruleset::~Ruleset() {
  if (!table_.empty()) (void)RunNft("delete table inet " + table_ + "\n", table_);
}

}  // namespace iotcop::network::intercept
