// Validates Kubernetes manifests offline against the Kubernetes API schema, as compiled into the
// kubernetes-models package (the OpenAPI definitions of the API server, one validator per kind).
//   node validate-k8s.mjs FILE.yaml
// Every YAML document must name an apiVersion and kind the package knows and be valid against its
// schema. Prints the documents as a JSON array on stdout when they are all valid (for the test's
// further checks); exit 1 with the errors on stderr otherwise, 2 when the tools are missing.
import { readFileSync } from "node:fs";

let yaml;
try {
  yaml = await import("js-yaml");
} catch (e) {
  console.error("js-yaml is not installed (run scripts/install-test-tools.sh): " + e.message);
  process.exit(2);
}

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate-k8s.mjs FILE.yaml");
  process.exit(2);
}

let docs;
try {
  docs = yaml.loadAll(readFileSync(file, "utf8")).filter((d) => d !== null && d !== undefined);
} catch (e) {
  console.error(`${file}: not YAML: ${e.message}`);
  process.exit(1);
}

// kubernetes-models/<group path>/<version>/<Kind>: "batch/v1" -> batch/v1, "v1" -> v1 (core).
async function modelOf(apiVersion, kind) {
  try {
    return (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
  } catch {
    try {
      await import("kubernetes-models/v1/Pod");
    } catch (e) {
      console.error("kubernetes-models is not installed (run scripts/install-test-tools.sh): " +
                    e.message);
      process.exit(2);
    }
    return undefined;  // the package is there: it does not know this kind
  }
}

let bad = 0;
for (const [i, doc] of docs.entries()) {
  const where = `${file}: document ${i + 1}`;
  if (typeof doc !== "object" || Array.isArray(doc) || typeof doc.apiVersion !== "string" ||
      typeof doc.kind !== "string") {
    console.error(`${where}: not a Kubernetes object (apiVersion and kind are required)`);
    ++bad;
    continue;
  }
  const Model = await modelOf(doc.apiVersion, doc.kind);
  if (!Model) {
    console.error(`${where}: unknown apiVersion/kind ${doc.apiVersion} ${doc.kind}`);
    ++bad;
    continue;
  }
  try {
    new Model(doc).validate();
  } catch (e) {
    const details = (e.errors || []).map((x) => `${x.instancePath || "/"} ${x.message}`);
    console.error(`${where} (${doc.apiVersion} ${doc.kind}): invalid: ${details.join("; ") || e.message}`);
    ++bad;
  }
}
if (docs.length === 0) {
  console.error(`${file}: no document`);
  process.exit(1);
}
if (bad) process.exit(1);
console.log(JSON.stringify(docs));
