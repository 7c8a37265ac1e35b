#!/usr/bin/env node
// Validates a SARIF file with Microsoft's SARIF Multitool (JSON schema + the SARIF rules).
// Usage: node validate-sarif.js [--notes] FILE.sarif
// Prints each error or warning as "LEVEL RULE: message" and exits 1 when there is any; exit 0 and
// "valid" otherwise (notes, the multitool's suggestions, are counted and shown with --notes); exit 2 when the multitool is not installed or cannot run.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const args = process.argv.slice(2);
const verbose = args.includes('--notes');
const file = args.filter((a) => a !== '--notes')[0];
if (!file) {
  console.error('usage: validate-sarif.js FILE.sarif');
  process.exit(2);
}
let tool;
try {
  tool = require('@microsoft/sarif-multitool');  // path of the platform binary
} catch (e) {
  console.error('validate-sarif: @microsoft/sarif-multitool is not installed: run scripts/install-test-tools.sh');
  process.exit(2);
}
try {
  fs.accessSync(tool, fs.constants.X_OK);
} catch (e) {
  fs.chmodSync(tool, 0o755);  // npm may skip the package's postinstall chmod
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sarif-validate-'));
const out = path.join(dir, 'validation.sarif');
try {
  const policy = path.join(__dirname, 'sarif-policy.xml');  // turns off SARIF2006, which fetches URLs
  const run = spawnSync(tool, ['validate', path.resolve(file), '-o', out, '-c', policy, '--level', 'Error;Warning;Note',
                               '--log', 'ForceOverwrite', '--quiet'],
                        { encoding: 'utf8', env: Object.assign({}, process.env, { DOTNET_CLI_TELEMETRY_OPTOUT: '1' }) });
  if (run.error || !fs.existsSync(out)) {
    console.error('validate-sarif: the multitool did not run: ' + (run.error || run.stderr || run.stdout));
    process.exit(2);
  }
  const log = JSON.parse(fs.readFileSync(out, 'utf8'));
  let bad = 0;
  let notes = 0;
  for (const r of log.runs) {
    const rules = (r.tool && r.tool.driver && r.tool.driver.rules) || [];
    for (const res of r.results || []) {
      const rule = rules[res.ruleIndex] || {};
      const level = res.level || (rule.defaultConfiguration && rule.defaultConfiguration.level) || 'warning';
      let text = (res.message && res.message.text) || '';
      if (!text && res.message && res.message.id && rule.messageStrings && rule.messageStrings[res.message.id]) {
        text = rule.messageStrings[res.message.id].text.replace(/\{(\d+)\}/g, (m, i) => res.message.arguments[+i]);
      }
      if (level === 'error' || level === 'warning') {
        console.log(`${level} ${res.ruleId} ${rule.name || ''}: ${text}`);
        bad++;
      } else {
        notes++;
        if (verbose) console.log(`${level} ${res.ruleId} ${rule.name || ''}: ${text}`);
      }
    }
    for (const inv of r.invocations || []) {
      for (const n of (inv.toolExecutionNotifications || []).concat(inv.toolConfigurationNotifications || [])) {
        if (n.level === 'error') {
          console.log(`error tool: ${n.message && n.message.text}`);
          bad++;
        }
      }
    }
  }
  if (bad) process.exit(1);
  console.log(`valid (${notes} notes${verbose ? '' : '; --notes shows them'})`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
