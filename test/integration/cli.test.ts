/**
 * The CLI as a city employee runs it: the built `firewall` bin in real processes, on real files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@firewall/core';
import { readBundleArchive, shippedBundlePath, writeBundleArchive } from '@firewall/policy';
import { waitFor } from '../helpers/kafka.js';

const bin = join(repoRoot, 'services', 'cli', 'bin', 'firewall.js');
const scenarios = join(repoRoot, 'test', 'fixtures', 'conformance');

function run(args: string[], env: Record<string, string> = {}) {
  const { KAFKA_BROKERS: _unset, ...base } = process.env;
  const result = spawnSync(process.execPath, [bin, ...args], { env: { ...base, LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `firewall start` on a free port; resolves with its URL once it prints it. */
async function startFirewall(dataDir: string, env: Record<string, string> = {}) {
  const { KAFKA_BROKERS: _unset, ...base } = process.env;
  const child = spawn(process.execPath, [bin, 'start'], { env: { ...base, PORT: '0', FIREWALL_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await waitFor(() => /listening on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1], { timeoutMs: 30_000, message: `firewall start printed its address (output so far: ${out})` });
  return { url, child, exited, output: () => out };
}

describe('firewall CLI', () => {
  it('conformance: every visible scenario passes through the signed bundle and the summary line is last', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pf-cli-'));
    const { code, stdout } = run(['conformance', scenarios], { FIREWALL_DATA_DIR: dataDir });
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('20 passed, 0 failed');
    expect(lines).toHaveLength(21);
    expect(code).toBe(0);
    const json = run(['conformance', scenarios, '--json'], { FIREWALL_DATA_DIR: dataDir });
    const objects = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; pass: boolean; decision: string });
    expect(objects).toHaveLength(20);
    expect(objects.every((o) => o.pass && o.decision)).toBe(true);
    expect(json.stderr.trim().split('\n').at(-1)).toBe('20 passed, 0 failed');
  });

  it('conformance: a scenario whose expectation the policy does not meet fails with a non-zero exit', () => {
    const folder = mkdtempSync(join(tmpdir(), 'pf-scn-'));
    const s01 = JSON.parse(readFileSync(join(scenarios, 'S01.json'), 'utf8'));
    writeFileSync(join(folder, 'X1.json'), JSON.stringify({ ...s01, id: 'X1', expect: { decision: 'ALLOW' } }));
    const { code, stdout } = run(['conformance', folder], { FIREWALL_DATA_DIR: mkdtempSync(join(tmpdir(), 'pf-cli-')) });
    expect(stdout).toContain('X1 FAIL decision DENY, expected ALLOW');
    expect(stdout.trim().split('\n').at(-1)).toBe('0 passed, 1 failed');
    expect(code).toBe(1);
  });

  it('start → token → request → graceful stop → verify: the embedded firewall end to end', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pf-cli-'));
    const firewall = await startFirewall(dataDir);
    try {
      expect((await fetch(`${firewall.url}/healthz`)).status).toBe(200);
      const token = run(['token', '--agency', 'ICE_ERO'], { FIREWALL_DATA_DIR: dataDir });
      expect(token.code).toBe(0);
      expect(token.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const request = JSON.parse(readFileSync(join(scenarios, 'S01.json'), 'utf8')).request;
      const res = await fetch(`${firewall.url}/v1/requests`, {
        method: 'POST', headers: { authorization: `Bearer ${token.stdout.trim()}`, 'content-type': 'application/json' }, body: JSON.stringify(request),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { decision: string }).decision).toBe('DENY');
    } finally {
      firewall.child.kill('SIGTERM');
    }
    expect(await firewall.exited).toBe(0);
    const verified = run(['verify', join(dataDir, 'ledger')]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/verified [2-9]\d* entries/);
    const period = new Date().toISOString().slice(0, 7);
    const report = run(['report', '--period', period, '--format', 'json'], { FIREWALL_DATA_DIR: dataDir });
    expect(report.code).toBe(0);
    expect(JSON.stringify(JSON.parse(report.stdout))).toContain(period);
    const csv = run(['report', '--period', period, '--format', 'csv'], { FIREWALL_DATA_DIR: dataDir });
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n').length).toBeGreaterThan(2);
  });

  it('verify names the first bad position when a ledger entry was changed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pf-cli-'));
    const firewall = await startFirewall(dataDir);
    for (const agency of ['MPD', 'FBI']) {
      const token = run(['token', '--agency', agency], { FIREWALL_DATA_DIR: dataDir }).stdout.trim();
      await fetch(`${firewall.url}/v1/requests`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ purpose: { code: 'CODE_ENFORCEMENT' }, system: 'parking', fields: ['plate_read'] }) });
    }
    firewall.child.kill('SIGTERM');
    await firewall.exited;
    const ledger = join(dataDir, 'ledger');
    const copy = mkdtempSync(join(tmpdir(), 'pf-copy-'));
    cpSync(ledger, copy, { recursive: true });
    const segment = join(copy, readdirSync(copy).find((f) => f.startsWith('entries-'))!);
    const lines = readFileSync(segment, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('"DECISION"', '"DECISIOM"').replace('"REQUEST_RECEIVED"', '"REQUEST_RECEIVEE"').replace('"RELEASE"', '"RELEASF"');
    writeFileSync(segment, lines.join('\n'));
    const result = run(['verify', copy]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAILED at position 2');
  });

  it('with a witness folder, cutting the ledger tail (checkpoints too) still verifies alone but fails verify --checkpoint, naming what is missing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pf-cli-'));
    const witnessDir = mkdtempSync(join(tmpdir(), 'pf-witness-'));
    const firewall = await startFirewall(dataDir, { FIREWALL_WITNESS_DIR: witnessDir, FIREWALL_CHECKPOINT_EVERY: '4' });
    for (const agency of ['MPD', 'FBI', 'MPD', 'FBI']) {
      const token = run(['token', '--agency', agency], { FIREWALL_DATA_DIR: dataDir }).stdout.trim();
      await fetch(`${firewall.url}/v1/requests`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ purpose: { code: 'CODE_ENFORCEMENT' }, system: 'parking', fields: ['plate_read'] }) });
    }
    const served = await (await fetch(`${firewall.url}/v1/audit/checkpoint`)).json() as { checkpoint: { size: number } };
    expect(served.checkpoint.size).toBeGreaterThanOrEqual(4);
    const published = join(dataDir, 'published-jwks.json');
    writeFileSync(published, await (await fetch(`${firewall.url}/v1/audit/jwks.json`)).text());
    firewall.child.kill('SIGTERM');
    expect(await firewall.exited).toBe(0);
    const ledger = join(dataDir, 'ledger');
    const entries = readFileSync(join(ledger, readdirSync(ledger).find((f) => f.startsWith('entries-'))!), 'utf8').trim().split('\n').length;
    const witnessed = run(['witness', witnessDir, '--jwks', published]);
    expect(witnessed.code).toBe(0);
    expect(witnessed.stderr).toMatch(/\d+ witnessed tree heads, each signed by a published key and proven to extend the one before/);
    // The head signed at shutdown covers every entry.
    const head = JSON.parse(witnessed.stdout) as { checkpoint: { size: number } };
    expect(head.checkpoint.size).toBe(entries);
    const headFile = join(dataDir, 'witnessed-head.json');
    writeFileSync(headFile, witnessed.stdout);
    expect(run(['verify', ledger, '--jwks', published, '--checkpoint', join(witnessDir, 'heads.ndjson')]).stdout).toMatch(/consistent with \d+ witnessed tree heads/);
    const copy = mkdtempSync(join(tmpdir(), 'pf-copy-'));
    cpSync(ledger, copy, { recursive: true });
    const segment = join(copy, readdirSync(copy).find((f) => f.startsWith('entries-'))!);
    writeFileSync(segment, readFileSync(segment, 'utf8').split('\n').slice(0, 3).join('\n') + '\n');
    rmSync(join(copy, 'checkpoints.ndjson'));
    expect(run(['verify', copy, '--jwks', published]).code).toBe(0);
    const cut = run(['verify', copy, '--jwks', published, '--checkpoint', headFile]);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toContain(`FAILED at position 3: truncated — the ledger holds 3 entries; the witnessed tree head covers ${entries}: entries 3–${entries - 1} are missing`);
  });

  it('a bundle with one byte changed, an unreadable bundle or an unsigned bundle is refused at start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pf-cli-'));
    expect(run(['conformance', scenarios], { FIREWALL_DATA_DIR: dataDir }).code).toBe(0); // signs the shipped bundle
    const signedPath = join(dataDir, 'policy', 'bundle.signed.tar.gz');
    const files = readBundleArchive(signedPath);
    const wasm = Buffer.from(files.get('policy.wasm')!);
    wasm[wasm.length - 10] = wasm[wasm.length - 10]! ^ 0x01;
    writeBundleArchive(signedPath, new Map(files).set('policy.wasm', wasm));
    const tampered = run(['start'], { FIREWALL_DATA_DIR: dataDir, PORT: '0' });
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain('PF_POLICY_BUNDLE_TAMPERED');
    expect(tampered.stdout).not.toContain('listening');

    const raw = readFileSync(signedPath);
    raw[Math.floor(raw.length / 2)] = raw[Math.floor(raw.length / 2)]! ^ 0xff;
    writeFileSync(signedPath, raw);
    const unreadable = run(['start'], { FIREWALL_DATA_DIR: dataDir, PORT: '0' });
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toMatch(/PF_POLICY_BUNDLE_(INVALID|TAMPERED)/);

    const unsigned = run(['start'], { FIREWALL_DATA_DIR: dataDir, PORT: '0', FIREWALL_BUNDLE: shippedBundlePath, FIREWALL_BUNDLE_PUBLIC_KEY: join(dataDir, 'keys', 'bundle-signing.pub.pem') });
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toContain('PF_POLICY_BUNDLE_UNSIGNED');
  });

  it('token is refused outside the embedded mode; every command has --help', () => {
    const refused = run(['token', '--agency', 'MPD'], { KAFKA_BROKERS: '127.0.0.1:1' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('embedded');
    for (const command of ['start', 'token', 'conformance', 'verify', 'replay', 'report']) {
      const help = run([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: firewall ${command}`);
    }
    expect(run(['--help']).stdout).toContain('FIREWALL_DATA_DIR');
  });
});
