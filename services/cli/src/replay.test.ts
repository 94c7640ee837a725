/**
 * `firewall replay`: a deliberately changed candidate bundle (the shipped bundle with an edited data.json, no
 * Go or opa needed) must report exactly the cases whose decision differs, computed here independently.
 */
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, parseRecordRequest, repoRoot, type Decision, type RecordRequest } from '@firewall/core';
import {
  PolicyEvaluator, decide, loadOrCreateBundleKey, readBundleArchive, shippedBundlePath, signBundle, unpackBundle, writeBundleArchive,
  type BundleFiles,
} from '@firewall/policy';
import { loadConfig } from './config.js';
import { loadScenarios } from './conformance.js';
import { loadPolicy } from './policy-source.js';
import {
  appendRequestArchive, formatReplay, loadCandidate, readRequestArchive, replay, replayCommand, requestArchiveDir,
} from './replay.js';

const scenariosDir = join(repoRoot, 'test', 'fixtures', 'conformance');
const catalog = loadCatalog();
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `pf-replay-${prefix}-`));

/**
 * The deliberate change, data only (same policy.wasm, same manifest revision):
 *   - ICE_HSI moves from federal_criminal to enforcement (civil immigration enforcement);
 *   - FBI moves from federal_criminal to enforcement;
 *   - thresholds.bulk_subjects drops from 25 to 10.
 */
function changedData(data: Record<string, any>): void {
  data.agencies.ICE_HSI.classes = ['enforcement'];
  data.agencies.FBI.classes = ['enforcement'];
  data.thresholds.bulk_subjects = 10;
}

function withData(files: BundleFiles, edit: (data: Record<string, any>) => void): BundleFiles {
  const data = JSON.parse(files.get('data.json')!.toString('utf8')) as Record<string, any>;
  edit(data);
  const changed = new Map(files);
  changed.set('data.json', Buffer.from(JSON.stringify(data)));
  return changed;
}

const shipped = readBundleArchive(shippedBundlePath);
const candidatePath = join(tmp('bundle'), 'candidate.tar.gz');
writeBundleArchive(candidatePath, withData(shipped, changedData));

// The current policy exactly as the firewall serves it in the embedded mode (shipped bundle, signed, verified).
const servingDir = tmp('serving');
const config = loadConfig({ FIREWALL_DATA_DIR: servingDir });
const current = (await loadPolicy(config)).evaluator;
const candidate = await PolicyEvaluator.load({ ...unpackBundle(readBundleArchive(candidatePath)), keyId: undefined });

/** Independent of replay.ts: the comparable facts of a Decision, as one string. */
function fingerprint(d: Decision): string {
  return JSON.stringify({
    decision: d.decision,
    released: [...d.released].sort(),
    withheld: [...d.withheld].sort(),
    rules: d.rules.map((r) => r.id).sort(),
    fields: [...d.fields].sort((a, b) => a.name.localeCompare(b.name)).map((f) => [f.name, f.outcome, f.transform ?? null]),
    failure: d.failure ?? null,
  });
}

const scenarioRequests: { id: string; request: RecordRequest }[] = loadScenarios([scenariosDir]).map(({ scenario }) => ({
  id: scenario.id,
  request: parseRecordRequest({ ...scenario.request, requestId: `rq-${scenario.id}` }, catalog),
}));
const expectedChanged = scenarioRequests
  .filter(({ request }) => fingerprint(decide(current, request)) !== fingerprint(decide(candidate, request)))
  .map(({ id }) => id)
  .sort();

describe('replay of the visible scenarios under a changed bundle', () => {
  it('the deliberate change flips some scenarios, not all', () => {
    expect(scenarioRequests.length).toBe(20);
    expect(expectedChanged.length).toBeGreaterThan(0);
    expect(expectedChanged.length).toBeLessThan(scenarioRequests.length);
    // What the change is known to do (documents the test; the exact-set assertion below is the real check).
    expect(expectedChanged).toEqual(['S07', 'S09', 'S10', 'S15']);
  });

  const result = replay({ current, candidate, folders: [scenariosDir], catalog });

  it('reports exactly the scenarios whose decide() output differs', () => {
    expect(result.total).toBe(scenarioRequests.length);
    expect(result.rejected).toEqual([]);
    expect(result.changed.map((c) => c.id).sort()).toEqual(expectedChanged);
    expect(result.changed.every((c) => c.source === 'scenario')).toBe(true);
  });

  it('counts transitions by old → new decision, adding up to the total', () => {
    expect(Object.values(result.byTransition).reduce((a, b) => a + b, 0)).toBe(result.total);
    const moved = Object.fromEntries(Object.entries(result.byTransition).filter(([k]) => k.split('→')[0] !== k.split('→')[1]));
    expect(moved).toEqual({ 'ALLOW_REDACTED→REVIEW': 1, 'ALLOW_REDACTED→DENY': 1 });
  });

  it('describes each change: decision, released fields and rules', () => {
    const byId = Object.fromEntries(result.changed.map((c) => [c.id, c]));
    expect(byId.S07!.old.decision).toBe('ALLOW_REDACTED');
    expect(byId.S07!.new.decision).toBe('REVIEW');
    expect(byId.S07!.new.released).toEqual([]);
    expect(byId.S15!.new.decision).toBe('DENY');
    expect(byId.S15!.new.rules).toContain('R10');
    // Same decision, different cited rules: still a change a reviewer must see.
    expect(byId.S09!.old.decision).toBe(byId.S09!.new.decision);
    expect(byId.S09!.old.rules).not.toEqual(byId.S09!.new.rules);
    expect(byId.S07!.fieldChanges.length).toBeGreaterThan(0);
  });

  it('prints a header, the transition table, one line per changed case and the summary', () => {
    const lines = formatReplay(result);
    expect(lines[0]).toContain(current.bundle.revision);
    expect(lines[1]).toContain(candidate.bundle.digest.slice(0, 12));
    expect(lines).toContain('note: same revision, different content (policy.wasm or data.json changed without a new revision)');
    expect(lines.some((l) => /^ {2}ALLOW_REDACTED → REVIEW +1$/.test(l))).toBe(true);
    expect(lines.some((l) => /^ {2}ALLOW_REDACTED → DENY +1$/.test(l))).toBe(true);
    const s07 = lines.find((l) => l.trimStart().startsWith('S07:'))!;
    expect(s07).toMatch(/^ {2}S07: ALLOW_REDACTED → REVIEW; released −\S+/);
    expect(s07).toMatch(/; rules (\+R\d+ )*.*−R\d+/);
    expect(lines.filter((l) => /^ {2}S\d+:/.test(l))).toHaveLength(expectedChanged.length);
    expect(lines.at(-1)).toBe(`20 requests replayed, ${expectedChanged.length} would change`);
  });

  it('reports nothing when the candidate is the current policy', () => {
    const same = replay({ current, candidate: current, folders: [scenariosDir], catalog });
    expect(same.changed).toEqual([]);
    expect(formatReplay(same)).toContain('note: the candidate is the same policy as the current one');
    expect(formatReplay(same).at(-1)).toBe('20 requests replayed, 0 would change');
  });
});

describe('the request archive', () => {
  const base = scenarioRequests.find((s) => s.id === 'S01')!.request;
  const at = (requestId: string, receivedAt: string): RecordRequest => ({ ...base, requestId, receivedAt });

  it('round-trips requests by UTC day, without purpose.text, in private files', async () => {
    const dir = tmp('archive');
    await appendRequestArchive(dir, at('b', '2026-12-01T15:00:00Z'));
    await appendRequestArchive(dir, at('a', '2026-12-01T09:00:00Z'));
    await appendRequestArchive(dir, at('c', '2026-12-01T23:30:00-05:00')); // 2026-12-02T04:30Z
    expect(readdirSync(requestArchiveDir(dir)).sort()).toEqual(['2026-12-01.ndjson', '2026-12-02.ndjson']);
    expect(statSync(join(requestArchiveDir(dir), '2026-12-01.ndjson')).mode & 0o777).toBe(0o600);
    expect(statSync(requestArchiveDir(dir)).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(requestArchiveDir(dir), '2026-12-01.ndjson'), 'utf8')).not.toContain('locate for removal');
    const read = readRequestArchive(dir);
    expect(read.problems).toEqual([]);
    expect(read.requests.map((r) => r.requestId)).toEqual(['a', 'b', 'c']);
    expect(read.requests[1]).toEqual({ ...at('b', '2026-12-01T15:00:00Z'), purpose: { ...base.purpose, text: null } });
  });

  it('filters on receivedAt with inclusive dates or RFC 3339 times', async () => {
    const dir = tmp('range');
    for (const [id, time] of [['n30', '2026-11-30T23:59:59Z'], ['d1a', '2026-12-01T00:00:00Z'], ['d1b', '2026-12-01T12:00:00Z'], ['d2', '2026-12-02T23:59:59.999Z'], ['d3', '2026-12-03T00:00:00Z']] as const) {
      await appendRequestArchive(dir, at(id, time));
    }
    const ids = (range: { from?: string; to?: string }) => readRequestArchive(dir, range).requests.map((r) => r.requestId);
    expect(ids({})).toEqual(['n30', 'd1a', 'd1b', 'd2', 'd3']);
    expect(ids({ from: '2026-12-01', to: '2026-12-02' })).toEqual(['d1a', 'd1b', 'd2']);
    expect(ids({ from: '2026-12-01T12:00:00Z', to: '2026-12-03T00:00:00Z' })).toEqual(['d1b', 'd2', 'd3']);
    expect(ids({ from: '2026-12-01T07:00:00+01:00' })).toEqual(['d1b', 'd2', 'd3']);
    expect(ids({ to: '2026-11-30' })).toEqual(['n30']);
    expect(() => readRequestArchive(dir, { from: '2026-12-02', to: '2026-12-01' })).toThrow(/after --to/);
    expect(() => readRequestArchive(dir, { from: 'yesterday' })).toThrow(/--from must be/);
    expect(() => readRequestArchive(dir, { to: '2026-02-30' })).toThrow(/--to must be/);
  });

  it('skips unreadable lines by position and counts a repeated request id once', async () => {
    const dir = tmp('damaged');
    await appendRequestArchive(dir, at('x', '2026-12-01T10:00:00Z'));
    await appendRequestArchive(dir, at('x', '2026-12-01T10:00:00Z'));
    const file = join(requestArchiveDir(dir), '2026-12-01.ndjson');
    appendFileSync(file, '{"requestId":"y","system":"municipal_id"}\n{"requestId":"z","rec');
    const read = readRequestArchive(dir);
    expect(read.requests.map((r) => r.requestId)).toEqual(['x']);
    expect(read.duplicates).toBe(1);
    expect(read.problems).toEqual([
      { file: 'requests/2026-12-01.ndjson', line: 3, reason: 'not a RecordRequest' },
      { file: 'requests/2026-12-01.ndjson', line: 4, reason: 'not JSON (an unfinished last line?)' },
    ]);
    expect(formatReplay(replay({ dataDir: dir, current, candidate, catalog })).join('\n')).toMatch(/2 unreadable line\(s\) skipped.*1 repeated request id/s);
  });

  it('refuses to archive what is not a valid request', async () => {
    await expect(appendRequestArchive(tmp('bad'), { ...base, receivedAt: 'not a time' })).rejects.toThrow(/receivedAt/);
    await expect(appendRequestArchive(tmp('bad'), { ...base, fields: 'x' } as unknown as RecordRequest)).rejects.toThrow(/valid RecordRequest/);
  });
});

describe('replay of recorded requests', () => {
  it('finds the same changes in the archive as in the scenarios, within --from/--to', async () => {
    const dir = tmp('recorded');
    for (const { request } of scenarioRequests) await appendRequestArchive(dir, request);
    // One recorded request outside the range, one the catalog no longer knows (rejected before the policy under both).
    const s07 = scenarioRequests.find((s) => s.id === 'S07')!.request;
    await appendRequestArchive(dir, { ...s07, requestId: 'rq-late', receivedAt: '2027-01-05T10:00:00Z' });
    await appendRequestArchive(dir, { ...s07, requestId: 'rq-unknown-field', fields: ['no_such_field'] });
    const result = replay({ dataDir: dir, current, candidate, from: '2026-01-01', to: '2026-12-31', catalog });
    expect(result.total).toBe(scenarioRequests.length);
    expect(result.changed.map((c) => c.id).sort()).toEqual(expectedChanged.map((id) => `rq-${id}`));
    expect(result.changed.every((c) => c.source === 'recorded' && c.receivedAt)).toBe(true);
    expect(result.rejected).toEqual([{ id: 'rq-unknown-field', source: 'recorded', code: 'PF_REQ_UNKNOWN_FIELD' }]);
    const withLate = replay({ dataDir: dir, current, candidate, folders: [scenariosDir], catalog });
    expect(withLate.total).toBe(2 * scenarioRequests.length + 1);
    expect(withLate.changed).toHaveLength(2 * expectedChanged.length + 1);
  });

  it('runs as `firewall replay` in the embedded mode, saying the candidate was not signature-checked', async () => {
    const dir = tmp('command');
    for (const { request } of scenarioRequests.slice(0, 5)) await appendRequestArchive(dir, request);
    const lines: string[] = [];
    const code = await replayCommand(loadConfig({ FIREWALL_DATA_DIR: dir }), { candidate: candidatePath, folders: [scenariosDir] }, (l) => lines.push(l));
    expect(code).toBe(0);
    expect(lines).toContain(`candidate ${candidatePath}: candidate not signature-checked: replay only`);
    const recordedChanged = scenarioRequests.slice(0, 5).filter((s) => expectedChanged.includes(s.id)).length;
    expect(lines.at(-1)).toBe(`25 requests replayed, ${expectedChanged.length + recordedChanged} would change`);
  });
});

describe('loading the candidate', () => {
  it('verifies the candidate against FIREWALL_BUNDLE_PUBLIC_KEY when it is set', async () => {
    const dir = tmp('keys');
    const key = await loadOrCreateBundleKey(join(dir, 'k.pem'), join(dir, 'k.pub.pem'));
    const keyed = loadConfig({ FIREWALL_DATA_DIR: dir, FIREWALL_BUNDLE_PUBLIC_KEY: join(dir, 'k.pub.pem') });
    await expect(loadCandidate(keyed, candidatePath)).rejects.toMatchObject({ code: 'PF_POLICY_BUNDLE_UNSIGNED' });
    const signedPath = join(dir, 'signed.tar.gz');
    writeBundleArchive(signedPath, await signBundle(readBundleArchive(candidatePath), key.privateKey, key.keyId));
    const loaded = await loadCandidate(keyed, signedPath);
    expect(loaded.signatureChecked).toBe(true);
    expect(loaded.evaluator.bundle.digest).toBe(candidate.bundle.digest);
    const tampered = join(dir, 'tampered.tar.gz');
    writeBundleArchive(tampered, withData(readBundleArchive(signedPath), (d) => { d.thresholds.bulk_subjects = 1000; }));
    await expect(loadCandidate(keyed, tampered)).rejects.toMatchObject({ code: 'PF_POLICY_BUNDLE_TAMPERED' });
  });

  it('accepts an unsigned candidate only in the embedded mode, and says so', async () => {
    const embedded = await loadCandidate(loadConfig({ FIREWALL_DATA_DIR: tmp('emb') }), candidatePath);
    expect(embedded.signatureChecked).toBe(false);
    expect(embedded.note).toContain('candidate not signature-checked: replay only');
    await expect(loadCandidate(loadConfig({ FIREWALL_DATA_DIR: tmp('kafka'), KAFKA_BROKERS: 'localhost:9092' }), candidatePath))
      .rejects.toMatchObject({ code: 'PF_CONFIG_INVALID' });
  });
});
