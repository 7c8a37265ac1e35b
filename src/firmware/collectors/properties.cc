// Properties collector: the product properties that EN 303 645 conditions test, as the firmware
// shows them (core/applicability.h): passwords_used, user_authentication, preinstalled_passwords
// and constrained. It reads the facts the earlier collectors produced for this input and the tree
// (BusyBox, a C library, kernel modules show a Linux system with a userland). Runs last.
#include <fmt/format.h>

#include "core/evidence.h"
#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "firmware/text.h"

namespace iotcop::firmware {
namespace {

std::vector<const Fact*> Mine(const FactStore& facts, const char* kind, const std::string& input) {
  std::vector<const Fact*> out;
  for (const Fact* f : facts.OfKind(kind)) {
    if (f->evidence.source == InputKind::kFirmware && f->evidence.input == input) out.push_back(f);
  }
  return out;
}

struct PendingProperty {
  std::string name;
  bool value;
  std::string reason;
  Evidence evidence;
};

bool LoginService(std::string_view name) {
  return name == "telnetd" || name == "utelnetd" || name == "dropbear" || name == "sshd" ||
         name == "login" || name == "getty" || name == "in.telnetd";
}

void CollectProperties(const FirmwareInput& in, FactStore& facts, std::vector<Problem>&) {
  // Facts are added only at the end: adding moves the store, and the pointers below point into it.
  std::vector<PendingProperty> out;
  const auto Property = [&](const std::string& name, bool value, const std::string& reason,
                            const Evidence& ev) {
    out.push_back({name, value, reason, ev});
  };
  const auto accounts = Mine(facts, facts::kAccount, in.input);
  const auto creds = Mine(facts, facts::kCredential, in.input);
  const auto services = Mine(facts, facts::kService, in.input);

  const Fact* login_account = nullptr;
  const Fact* hash_account = nullptr;
  for (const Fact* a : accounts) {
    const std::string state = a->value["password"].value("state", "");
    if (a->value.value("login", false) && state != "locked" && !login_account) login_account = a;
    if (state == "hash" && !hash_account) hash_account = a;
  }
  const Fact* config_cred = nullptr;
  for (const Fact* c : creds) {
    const std::string kind = c->value.value("kind", "");
    if ((kind == "web" || kind == "nvram" || kind == "command") && !config_cred) config_cred = c;
  }
  const Fact* login_service = nullptr;
  for (const Fact* s : services) {
    if (LoginService(s->value.value("name", "")) && !login_service) login_service = s;
  }

  if (login_account || config_cred) {
    const Fact* f = login_account ? login_account : config_cred;
    Property("passwords_used", true,
             login_account
                 ? fmt::format("account '{}' in {} can log in with a password",
                               f->value.value("name", ""), f->value.value("file", ""))
                 : fmt::format("a password is configured in {}", f->value.value("where", "")),
             f->evidence);
  } else if (!accounts.empty()) {
    Property("passwords_used", false,
             fmt::format("every account in the {} account entries is locked or has no login shell",
                         accounts.size()),
             accounts.front()->evidence);
  }
  if (login_account || login_service || config_cred) {
    const Fact* f = login_service ? login_service : login_account ? login_account : config_cred;
    std::string reason =
        login_service   ? fmt::format("{} is started at boot ({})", f->value.value("name", ""),
                                      f->value.value("started_by", ""))
        : login_account ? fmt::format("account '{}' can log in", f->value.value("name", ""))
                        : "a service configuration holds user credentials";
    Property("user_authentication", true, reason, f->evidence);
  }
  const Fact* baked = hash_account;
  if (!baked) {
    for (const Fact* c : creds) {
      const std::string st = c->value.value("password_state", "");
      if (st == "hash" || st == "plaintext") {
        baked = c;
        break;
      }
    }
  }
  if (baked) {
    Property("preinstalled_passwords", true,
             fmt::format("a password {} is baked into the image ({})",
                         baked->value.value("password_state", "") == "plaintext" ? "" : "hash",
                         baked->kind == facts::kAccount ? baked->value.value("file", "")
                                                        : baked->value.value("where", "")),
             baked->evidence);
  } else if (!accounts.empty()) {
    Property("preinstalled_passwords", false,
             "no account in the image has a password hash (locked accounts, empty fields or "
             "placeholders only)",
             accounts.front()->evidence);
  }

  // Linux with a userland: BusyBox, a C library or kernel modules.
  for (std::uint32_t root : in.tree.SystemRoots()) {
    const unpack::Entry* found = nullptr;
    std::string what;
    for (const char* p : {"/bin/busybox", "/sbin/busybox", "/usr/bin/busybox"}) {
      if ((found = in.tree.Find(root, p))) {
        what = "BusyBox userland";
        break;
      }
    }
    if (!found) {
      for (const unpack::Entry* e : in.tree.List(root, "/lib")) {
        const std::string_view b = Basename(e->path);
        if (b.starts_with("libc.so") || b.starts_with("libc-") || b.starts_with("libuClibc") ||
            b.starts_with("ld-linux") || b.starts_with("ld-musl") || b.starts_with("ld-uClibc")) {
          found = e;
          what = "a C library";
          break;
        }
      }
    }
    if (!found) {
      if (const auto* m = in.tree.Find(root, "/lib/modules");
          m && m->type == unpack::EntryType::kDir) {
        found = m;
        what = "Linux kernel modules";
      }
    }
    if (found) {
      Property("constrained", false,
               fmt::format("a Linux system with a userland ({} at {}): not a constrained device",
                           what, in.tree.DisplayPath(*found)),
               FileEvidence(in, *found, std::nullopt, what));
      break;
    }
  }
  for (auto& p : out) {
    facts.Add(facts::kProperty, {{"name", p.name}, {"value", p.value}, {"reason", p.reason}},
              std::move(p.evidence), "properties");
  }
}

}  // namespace

std::unique_ptr<const Collector> MakePropertiesCollector() {
  return MakeFunctionCollector({"properties",
                                "applicability properties from the firmware: passwords_used, "
                                "user_authentication, preinstalled_passwords, constrained",
                                {facts::kProperty}},
                               CollectProperties);
}

}  // namespace iotcop::firmware
