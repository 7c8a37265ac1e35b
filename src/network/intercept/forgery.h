// File: network/intercept/forgery.h
// The forged certificates the interception answers a device's TLS client with, one series per
// destination and server name, as certmitm does for test labs: each tests one thing the client
// must check. A client that completes a handshake with any of them and sends data accepts a server
// that is not the one it asked for.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "core/result.h"

namespace iotcop::network::intercept {

struct ForgeryKind {
  const char* name;
  const char* what;  // what a client that accepts it fails to check
};
// In the order they are tried: self-signed, untrusted-ca, other-name (only with a certificate of
// the lab's own), expired, weak-key.
const std::vector<ForgeryKind>& ForgeryKinds();

struct SslCtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

class ForgeryFactory {
 public:
  // `other_name_pem`: a certificate (with its chain) and key that the device would trust but that
  // names another host (a lab's own certificate from a public or the device's CA); "" = the
  // other-name forgery is skipped. Makes the untrusted CA of this run.
  static Result<ForgeryFactory> Create(const std::string& other_name_pem);
  ForgeryFactory(ForgeryFactory&&) noexcept;
  ForgeryFactory& operator=(ForgeryFactory&&) noexcept;
  ~ForgeryFactory();

  // The forgeries this run tries, in order.
  const std::vector<std::string>& Series() const { return series_; }
  // A server context answering with forgery `kind` for `name` (an SNI, else the destination's
  // address), made on first use.
  Result<SSL_CTX*> Context(const std::string& kind, const std::string& name);

 private:
  ForgeryFactory();
  struct State;
  std::unique_ptr<State> s_;
  std::vector<std::string> series_;
};

}  // namespace iotcop::network::intercept
