// deploy/k8s-batch-job.yaml checked offline: valid against the Kubernetes API schema (the
// kubernetes-models package's validators of the API server's OpenAPI definitions, run by node:
// tests/tools/validate-k8s.mjs), an Indexed Job, and the environment docs/batch.md names.
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using test::Q;

const fs::path kK8sTools = fs::path(IOTCOP_SOURCE_DIR) / "tests" / "tools";
const fs::path kK8sJob = fs::path(IOTCOP_SOURCE_DIR) / "deploy" / "k8s-batch-job.yaml";

test::CommandResult ValidateK8s(const fs::path& manifest) {
  return test::RunShell("node " + Q(kK8sTools / "validate-k8s.mjs") + " " + Q(manifest));
}

TEST(DeployKubernetes, BatchJobIsAValidIndexedJobWithTheDocumentedEnvironment) {
  if (!test::HaveTool("node")) GTEST_SKIP() << "node is not installed: cannot run the validator";
  const auto r = ValidateK8s(kK8sJob);
  ASSERT_EQ(r.exit_code, 0) << r.err
                            << (r.exit_code == 2 ? "\n(run scripts/install-test-tools.sh)" : "");
  json docs = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(docs.is_array() && docs.size() == 1) << r.out;
  json job = docs[0];
  EXPECT_EQ(job["apiVersion"], "batch/v1");
  EXPECT_EQ(job["kind"], "Job");
  json spec = job["spec"];
  // Indexed: each pod gets JOB_COMPLETION_INDEX, its shard.
  EXPECT_EQ(spec["completionMode"], "Indexed");
  ASSERT_TRUE(spec["completions"].is_number_integer());
  const int completions = spec["completions"].get<int>();
  json pod = spec["template"]["spec"];
  ASSERT_EQ(pod["containers"].size(), 1u);
  json c = pod["containers"][0];
  std::map<std::string, json> env;
  for (json e : c["env"]) env[e["name"].is_string() ? e["name"].get<std::string>() : ""] = e;
  // SHARDS equals completions; the database URL comes from the secret docs/batch.md creates
  // (kubectl create secret generic iotcop-db --from-literal=url=...).
  ASSERT_TRUE(env.count("SHARDS"));
  EXPECT_EQ(env["SHARDS"]["value"], std::to_string(completions));
  ASSERT_TRUE(env.count("IOTCOP_DB"));
  EXPECT_EQ(env["IOTCOP_DB"]["valueFrom"]["secretKeyRef"]["name"], "iotcop-db");
  EXPECT_EQ(env["IOTCOP_DB"]["valueFrom"]["secretKeyRef"]["key"], "url");
  EXPECT_TRUE(env.count("JOBS"));
  const std::string doc = test::ReadFile(fs::path(IOTCOP_SOURCE_DIR) / "docs" / "batch.md");
  EXPECT_NE(doc.find("secret generic iotcop-db --from-literal=url="), std::string::npos);
  EXPECT_NE(doc.find("JOB_COMPLETION_INDEX"), std::string::npos);
  std::string command;
  for (const auto& part : c["command"]) command += part.get<std::string>() + " ";
  for (const auto& part : c["args"]) command += part.get<std::string>() + " ";
  EXPECT_NE(command.find("iotcop batch /firmware"), std::string::npos) << command;
  EXPECT_NE(command.find("--shard \"${JOB_COMPLETION_INDEX}/${SHARDS}\""), std::string::npos)
      << command;
  EXPECT_NE(command.find("--db \"${IOTCOP_DB}\""), std::string::npos) << command;
  // The images' folder is the volume mounted at /firmware.
  ASSERT_EQ(c["volumeMounts"].size(), 1u);
  EXPECT_EQ(c["volumeMounts"][0]["mountPath"], "/firmware");
  EXPECT_EQ(c["volumeMounts"][0]["name"], pod["volumes"][0]["name"]);
}

TEST(DeployKubernetes, TheValidatorRejectsWhatTheApiServerWould) {
  if (!test::HaveTool("node")) GTEST_SKIP() << "node is not installed: cannot run the validator";
  test::TempDir t;
  std::string yaml = test::ReadFile(kK8sJob);
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? s : s.replace(at, from.size(), to);
  };
  test::WriteFile(t / "mode.yaml",
                  replace(yaml, "completionMode: Indexed", "completionMode: Sharded"));
  auto r = ValidateK8s(t / "mode.yaml");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("/spec/completionMode"), std::string::npos) << r.err;
  test::WriteFile(t / "count.yaml", replace(yaml, "completions: 8", "completions: \"8\""));
  r = ValidateK8s(t / "count.yaml");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("/spec/completions"), std::string::npos) << r.err;
  test::WriteFile(t / "kind.yaml", replace(yaml, "apiVersion: batch/v1", "apiVersion: batch/v9"));
  r = ValidateK8s(t / "kind.yaml");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("unknown apiVersion/kind"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace iotcop
