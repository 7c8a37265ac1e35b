// File: bench/network_logins_driver.cc
// bench/network-logins' driver: runs iotcop's default-credential login probe (network/login.h)
// against one endpoint, or with --list prints the user:password pairs it would try (hydra -C
// format), so that hydra gets exactly the same guesses.
//   iotcop_bench_logins ADDRESS PORT SERVICE MAX_ATTEMPTS [--list]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/fact_kinds.h"
#include "network/login.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s ADDRESS PORT SERVICE MAX_ATTEMPTS [--list]\n", argv[0]);
    return 2;
  }
  iotcop::network::Endpoint e;
  e.address = e.input = argv[1];
  e.port = static_cast<std::uint16_t>(std::atoi(argv[2]));
  e.service = argv[3];
  iotcop::network::LoginOptions o;
  o.max_attempts = static_cast<std::size_t>(std::atol(argv[4]));
  o.delay = std::chrono::milliseconds(0);
  iotcop::network::Limits l;
  l.rate = 0;
  if (argc > 5 && std::string(argv[5]) == "--list") {
    for (const auto& c : iotcop::network::LoginCandidates(e, o))
      std::printf("%s:%s\n", c.first.c_str(), c.second.c_str());
    return 0;
  }
  iotcop::Assessment a;
  const auto t0 = std::chrono::steady_clock::now();
  iotcop::network::TryDefaultLogins({e}, o, l, a);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::size_t attempts = 0;
  bool success = false;
  for (const auto* f : a.facts.OfKind(iotcop::facts::kLoginAttempt)) {
    attempts = f->value["attempts"].get<std::size_t>();
    success = f->value["success"].get<bool>();
  }
  for (const auto& p : a.problems) std::fprintf(stderr, "problem: %s\n", p.message.c_str());
  std::printf("attempts=%zu success=%d seconds=%.3f\n", attempts, success ? 1 : 0, s);
  return attempts > 0 ? 0 : 1;
}
