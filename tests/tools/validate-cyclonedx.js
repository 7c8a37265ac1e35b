#!/usr/bin/env node
// Validates a CycloneDX JSON file with the official @cyclonedx/cyclonedx-library JSON validator
// (the CycloneDX JSON schemas, checked by ajv). Usage: validate-cyclonedx.js FILE [1.5]
// Exit 0: valid; 1: invalid (errors on stdout); 2: usage or setup error.
'use strict';
const fs = require('fs');
const { Validation, Spec } = require('@cyclonedx/cyclonedx-library');

async function main() {
  const [file, version = '1.5'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: validate-cyclonedx.js FILE [1.5]');
    process.exit(2);
  }
  const text = fs.readFileSync(file, 'utf8');
  const validator = new Validation.JsonStrictValidator(version);
  const errors = await validator.validate(text);
  if (errors === null) {
    console.log(`${file}: valid CycloneDX ${version}`);
    process.exit(0);
  }
  console.log(JSON.stringify(errors, null, 2));
  process.exit(1);
}

main().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(2);
});
