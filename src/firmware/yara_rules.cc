#include "firmware/yara_rules.h"

#include <yara.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/paths.h"

namespace iotcop::firmware {
namespace fs = std::filesystem;

// Outside the anonymous namespace: YaraRules::Impl (external linkage) holds one.
struct YaraRulesDeleter {
  void operator()(YR_RULES* r) const { yr_rules_destroy(r); }
};

namespace {

struct CompilerDeleter {
  void operator()(YR_COMPILER* c) const { yr_compiler_destroy(c); }
};

Status InitializeOnce() {
  static std::once_flag once;
  static int rc = ERROR_SUCCESS;
  std::call_once(once, [] { rc = yr_initialize(); });
  if (rc != ERROR_SUCCESS)
    return MakeError(Errc::kInternal, "yr_initialize failed: " + std::to_string(rc));
  return Ok();
}

struct CompileErrors {
  std::string first;
  std::string file;
};

void OnCompileMessage(int level, const char* /*file*/, int line, const YR_RULE* /*rule*/,
                      const char* message, void* user) {
  auto* e = static_cast<CompileErrors*>(user);
  if (level == YARA_ERROR_LEVEL_ERROR && e->first.empty())
    e->first = e->file + ":" + std::to_string(line) + ": " + message;
}

struct Source {
  std::string ns, name, text;
};

Status Compile(const std::vector<Source>& sources,
               std::unique_ptr<YR_RULES, YaraRulesDeleter>& out) {
  if (auto st = InitializeOnce(); !st) return st.error();
  YR_COMPILER* raw = nullptr;
  if (yr_compiler_create(&raw) != ERROR_SUCCESS)
    return MakeError(Errc::kInternal, "yr_compiler_create failed");
  std::unique_ptr<YR_COMPILER, CompilerDeleter> compiler(raw);
  CompileErrors errors;
  yr_compiler_set_callback(compiler.get(), OnCompileMessage, &errors);
  for (const Source& s : sources) {
    errors.file = s.name;
    if (yr_compiler_add_string(compiler.get(), s.text.c_str(), s.ns.c_str()) != 0)
      return MakeError(Errc::kCorrupt, "rule does not compile: " + errors.first, s.name);
  }
  YR_RULES* rules = nullptr;
  if (yr_compiler_get_rules(compiler.get(), &rules) != ERROR_SUCCESS)
    return MakeError(Errc::kInternal, "yr_compiler_get_rules failed");
  out.reset(rules);
  return Ok();
}

struct ScanState {
  std::vector<RuleMatch>* out;
};

// libyara keeps its match records in a packed arena, so walking them with its own macros reads
// misaligned structs; that is libyara's layout, not ours, so UBSan's alignment check is off here.
__attribute__((no_sanitize("alignment"))) int OnScan(YR_SCAN_CONTEXT* context, int message,
                                                     void* message_data, void* user) {
  if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
  auto* st = static_cast<ScanState*>(user);
  const auto* rule = static_cast<YR_RULE*>(message_data);
  RuleMatch m;
  m.rule = rule->identifier;
  m.ns = rule->ns ? rule->ns->name : "";
  const YR_META* meta;
  yr_rule_metas_foreach(rule, meta) {
    if (meta->type == META_TYPE_STRING) {
      m.meta[meta->identifier] = meta->string;
    } else if (meta->type == META_TYPE_INTEGER) {
      m.meta[meta->identifier] = std::to_string(meta->integer);
    } else {
      m.meta[meta->identifier] = meta->integer ? "true" : "false";
    }
  }
  bool found = false;
  const YR_STRING* string;
  yr_rule_strings_foreach(rule, string) {
    const YR_MATCH* match;
    yr_string_matches_foreach(context, string, match) {
      if (!found || static_cast<std::uint64_t>(match->base + match->offset) < m.offset) {
        m.offset = static_cast<std::uint64_t>(match->base + match->offset);
        m.data.assign(reinterpret_cast<const char*>(match->data),
                      static_cast<std::size_t>(match->data_length));
        found = true;
      }
    }
  }
  st->out->push_back(std::move(m));
  return CALLBACK_CONTINUE;
}

}  // namespace

struct YaraRules::Impl {
  std::unique_ptr<YR_RULES, YaraRulesDeleter> rules;
};

YaraRules::YaraRules(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
YaraRules::~YaraRules() = default;

Result<std::shared_ptr<const YaraRules>> YaraRules::FromText(const std::string& text,
                                                             const std::string& ns) {
  auto impl = std::make_unique<Impl>();
  if (auto st = Compile({{ns, "<text>", text}}, impl->rules); !st) return st.error();
  return std::shared_ptr<const YaraRules>(new YaraRules(std::move(impl)));
}

Result<std::shared_ptr<const YaraRules>> YaraRules::ForFolders(
    const std::vector<std::string>& folders) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const YaraRules>> cache;
  std::string key;
  for (const auto& f : folders) key += f + "\n";
  const fs::path base = DataDir() / "rules";
  key += base.string();
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::vector<Source> sources;
  for (const auto& folder : folders) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(base / folder, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".yar") files.push_back(it->path());
    }
    if (ec) return MakeError(Errc::kIo, ec.message(), (base / folder).string());
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
      std::ifstream in(p, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      if (!in) return MakeError(Errc::kIo, "cannot read the rule file", p.string());
      sources.push_back({folder, p.string(), ss.str()});
    }
  }
  auto impl = std::make_unique<Impl>();
  if (auto st = Compile(sources, impl->rules); !st) return st.error();
  std::shared_ptr<const YaraRules> rules(new YaraRules(std::move(impl)));
  cache[key] = rules;
  return rules;
}

Result<std::vector<RuleMatch>> YaraRules::Scan(ByteView data, int timeout_s) const {
  std::vector<RuleMatch> out;
  ScanState st{&out};
  const int rc = yr_rules_scan_mem(impl_->rules.get(), data.data(), data.size(),
                                   SCAN_FLAGS_FAST_MODE, OnScan, &st, timeout_s);
  if (rc == ERROR_SCAN_TIMEOUT) return MakeError(Errc::kTimeout, "YARA scan timed out");
  if (rc != ERROR_SUCCESS)
    return MakeError(Errc::kInternal, "YARA scan failed: " + std::to_string(rc));
  return out;
}

}  // namespace iotcop::firmware
