#include "network/login.h"

namespace iotcop::network {

void TryDefaultLogins(const std::vector<Endpoint>&, const LoginOptions&, const Limits&,
                      Assessment&) {}

}  // namespace iotcop::network
