#!/usr/bin/env node
// Evaluates requests through the compiled policy bundle (policy.wasm + data.json) with
// @open-policy-agent/opa-wasm, the way the decider does, and checks them:
//   node deploy/opa/wasm-check.mjs [--bundle FILE] [--cases FILE] [--native] [SCENARIO_DIR...]
// Scenario files (conformance format) and golden cases both check the decision, that
// expect.released/withheld are among result.released/withheld, and that expect.rules are
// cited. --native also compares every golden case's whole result with `opa eval` of the
// Rego sources (this proves the annotation-derived titles and sources survive wasm).
// Prints one line per failure and a last line "N passed, N failed"; exits 1 on a failure.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(repo, 'package.json'));
const { loadPolicy } = require('@open-policy-agent/opa-wasm');
const YAML = require('yaml');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const flag = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const bundlePath = option('--bundle', join(repo, 'policies/dist/bundle.tar.gz'));
const casesPath = option('--cases', undefined);
const native = flag('--native');
const scenarioDirs = args;

// A minimal reader for the ustar archive inside the gzip bundle.
function untar(buffer) {
  const files = new Map();
  for (let offset = 0; offset + 512 <= buffer.length; ) {
    const header = buffer.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start, length) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
    const name = (field(345, 155) ? `${field(345, 155)}/` : '') + field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    files.set(name.replace(/^\/+/, ''), buffer.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

// time.parse_rfc3339_ns as the host supplies it: nanoseconds since the epoch, or an error.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;
function parseRfc3339Ns(value) {
  const m = RFC3339.exec(value);
  if (!m) throw new Error(`time.parse_rfc3339_ns: not RFC 3339: ${value}`);
  const [, y, mo, d, h, mi, s, frac = '', zone, sign, oh, om] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  const offsetMin = zone === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (+oh * 60 + +om);
  const ns = BigInt(ms - offsetMin * 60000) * 1000000n + BigInt(frac.padEnd(9, '0') || '0');
  return Number(ns);
}

const files = untar(gunzipSync(readFileSync(bundlePath)));
const policy = await loadPolicy(files.get('policy.wasm'), undefined, {
  'time.parse_rfc3339_ns': parseRfc3339Ns,
});
policy.setData(JSON.parse(files.get('data.json').toString('utf8')));
const manifest = JSON.parse(files.get('.manifest').toString('utf8'));

const evaluate = (request) => {
  const out = policy.evaluate(request);
  if (!Array.isArray(out) || out.length !== 1) throw new Error('result is undefined');
  return out[0].result;
};

const problems = (expect, result) => {
  const cited = new Set(result.rules.map((r) => r.id));
  const found = [];
  if (result.decision !== expect.decision) found.push(`decision ${result.decision}, expected ${expect.decision}`);
  for (const f of expect.released ?? []) if (!result.released.includes(f)) found.push(`${f} not released`);
  for (const f of expect.withheld ?? []) if (!result.withheld.includes(f)) found.push(`${f} not withheld`);
  for (const id of expect.rules ?? []) if (!cited.has(id)) found.push(`${id} not cited`);
  return found;
};

let passed = 0;
let failed = 0;
const check = (label, expect, request) => {
  let found;
  try {
    found = problems(expect, evaluate(request));
  } catch (err) {
    found = [`evaluation failed: ${err.message}`];
  }
  if (found.length === 0) passed += 1;
  else {
    failed += 1;
    console.log(`FAIL ${label}: ${found.join('; ')}`);
  }
};

console.log(`bundle ${bundlePath} (revision ${manifest.revision})`);
for (const dir of scenarioDirs) {
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const scenario = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    check(scenario.id ?? name, scenario.expect, scenario.request);
  }
}

const cases = casesPath ? YAML.parse(readFileSync(casesPath, 'utf8')) : [];
for (const c of cases) check(c.name, c.expect, c.input);

if (native && cases.length > 0) {
  // The same cases through the Rego sources: the whole result must be identical.
  const opa = process.env.OPA_BIN ?? join(repo, '.tools/bin/opa');
  // A function call keeps `with input` scoped per case (a comprehension in an ad-hoc query does not).
  const query = '[data.firewall.decision_test._result(c) | some c in data.firewall.testdata]';
  const raw = execFileSync(opa, ['eval', '--ignore', 'dist', '-d', join(repo, 'policies'), '-f', 'json', query], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const nativeResults = JSON.parse(raw).result[0].expressions[0].value;
  const canon = (v) =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]))
        : v;
  cases.forEach((c, i) => {
    let same;
    try {
      same = JSON.stringify(canon(evaluate(c.input))) === JSON.stringify(canon(nativeResults[i]));
    } catch {
      same = false;
    }
    if (same) passed += 1;
    else {
      failed += 1;
      console.log(`FAIL ${c.name}: wasm result differs from opa eval`);
    }
  });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
