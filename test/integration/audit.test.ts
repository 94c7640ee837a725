/**
 * The city attorney's audit API on the embedded firewall: search by subject hash, agency, decision and rule with
 * pagination, an evidence package that verifies offline, and no personal value anywhere in the ledger, the
 * evidence or the logs.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, avroCodec, createLogger, loadCatalog } from '@firewall/core';
import { loadAgencyRegistry } from '@firewall/http';
import { WITNESS_FILE, readTreeHeads, verifyPath, type Jwks } from '@firewall/ledger';
import { waitFor } from '../helpers/kafka.js';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import { reviewerAgency } from '@firewall/review';
import { ensureDevAgencies, mintDevToken } from '../../services/cli/src/dev-keys.js';
import { startFirewall, type RunningFirewall } from '../../services/cli/src/firewall.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pf-audit-'));
const logLines: string[] = [];
const logger = createLogger({ service: 'it', level: 'debug', destination: new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } }) });
const personal = { subjectId: 'MID-4417-9921', otherSubject: 'CIT-2026-000777', purposeText: 'Jane Q. Resident at 1234 Elm', court: 'Judge Alvarez special court' };
let firewall: RunningFirewall;
let bus: MemoryBus;

beforeAll(async () => {
  const prepared = await prepareEmbeddedBundle(dataDir);
  const evaluator = await PolicyEvaluator.load(await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)));
  const { registryPath } = await ensureDevAgencies(dataDir, [...Object.keys((evaluator.bundle.data as { agencies: object }).agencies), reviewerAgency]);
  bus = new MemoryBus();
  firewall = await startFirewall({
    bus, codec: avroCodec, catalog: loadCatalog(), evaluator, registry: loadAgencyRegistry(registryPath), logger, dataDir,
    ledgerDir: join(dataDir, 'ledger'), ledgerKeyPath: join(dataDir, 'keys', 'ledger.key.pem'), decisionTimeoutMs: 10_000,
    witnessDir: join(dataDir, 'witness'),
  });
});

afterAll(async () => {
  await firewall.close();
  await bus.close();
});

const token = (agency: string, role?: string) => mintDevToken(dataDir, agency, role ? { role } : {});
const attorney = () => token(reviewerAgency, 'CITY_ATTORNEY');

async function ask(agency: string, body: Record<string, unknown>) {
  return request(firewall.app).post('/v1/requests').set('authorization', `Bearer ${await token(agency)}`).send(body);
}

describe('audit API for the city attorney', () => {
  let aboutSubject: string;

  it('finds every request about one person by the keyed hash of the identifier, and nothing else', async () => {
    const sheriff = { purpose: { code: 'CRIMINAL_CASE_PROCESSING', text: personal.purposeText }, legalBasis: { type: 'STATE_CRIMINAL_PROCESS', court: personal.court },
      system: 'summons', fields: ['full_name', 'offense'], attestations: ['NO_ONWARD_IMMIGRATION_SHARING'], subjectIds: [personal.subjectId] };
    aboutSubject = (await ask('HENNEPIN_SHERIFF', sheriff)).body.requestId as string;
    await ask('ICE_ERO', { purpose: { code: 'LOCATE_FOR_REMOVAL' }, system: 'municipal_id', fields: ['residential_address'], subjectIds: [personal.subjectId] });
    await ask('MPD', { purpose: { code: 'CODE_ENFORCEMENT' }, system: 'parking', fields: ['plate_read'], subjectIds: [personal.otherSubject] });
    await bus.settled();

    const hash = await request(firewall.app).post('/v1/audit/subject-hash').set('authorization', `Bearer ${await attorney()}`).send({ id: personal.subjectId });
    expect(hash.status).toBe(200);
    const found = await request(firewall.app).get('/v1/audit/entries').query({ subjectHash: hash.body.subjectHash }).set('authorization', `Bearer ${await attorney()}`);
    expect(found.status).toBe(200);
    const byType = (type: string) => found.body.entries.filter((e: { type: string }) => e.type === type);
    expect(byType('REQUEST_RECEIVED').map((e: { summary: { agency: string } }) => e.summary.agency).sort()).toEqual(['HENNEPIN_SHERIFF', 'ICE_ERO']);
    // …and who looked that person up: the attorney's own look-up is in the trail, by the same hash.
    expect(byType('ACCESS').map((e: { summary: { action: string; agency: string } }) => [e.summary.action, e.summary.agency])).toEqual([['AUDIT_SUBJECT_HASH', 'CITY_ATTORNEY_DATA_PRACTICES']]);
    expect(found.body.entries.every((e: { type: string }) => ['REQUEST_RECEIVED', 'ACCESS'].includes(e.type))).toBe(true);
  });

  it('filters by agency, decision and rule, and pages with a cursor', async () => {
    const denied = await request(firewall.app).get('/v1/audit/entries').query({ decision: 'DENY', rule: 'R1' }).set('authorization', `Bearer ${await attorney()}`);
    expect(denied.body.entries.length).toBe(1);
    expect(denied.body.entries[0].summary.agency).toBe('ICE_ERO');
    const first = await request(firewall.app).get('/v1/audit/entries').query({ limit: 2 }).set('authorization', `Bearer ${await attorney()}`);
    expect(first.body.entries).toHaveLength(2);
    const rest = await request(firewall.app).get('/v1/audit/entries').query({ after: first.body.next, limit: 100 }).set('authorization', `Bearer ${await attorney()}`);
    expect(rest.body.entries.length).toBeGreaterThanOrEqual(4);
    expect(rest.body.entries[0].seq).toBe(first.body.next + 1);
    expect(rest.body.next).toBeNull();
  });

  it('hands over an evidence package that verifies offline, and a changed one that does not', async () => {
    const res = await request(firewall.app).get(`/v1/audit/requests/${aboutSubject}/evidence`).set('authorization', `Bearer ${await attorney()}`);
    expect(res.status).toBe(200);
    const file = join(dataDir, 'evidence.json');
    writeFileSync(file, res.text);
    const jwks = (await request(firewall.app).get('/v1/audit/jwks.json')).body as Jwks;
    // Its own keys are not trusted by default; the published ones are.
    expect(await verifyPath(file)).toMatchObject({ ok: false, problem: 'untrusted_keys' });
    expect(await verifyPath(file, { jwks })).toMatchObject({ ok: true });
    // The tree head the package was built on reached the witness: the entries are in the witnessed tree.
    const size = (JSON.parse(res.text) as { checkpoint: { checkpoint: { size: number } } }).checkpoint.checkpoint.size;
    const heads = join(dataDir, 'witness', WITNESS_FILE);
    await waitFor(async () => (await readTreeHeads(heads).catch(() => [])).some((h) => h.checkpoint.size === size), { timeoutMs: 10_000, message: 'the evidence head was witnessed' });
    expect(await verifyPath(file, { jwks, checkpoint: heads })).toMatchObject({ ok: true, witnessed: expect.any(Number) });
    writeFileSync(join(dataDir, 'evidence-changed.json'), res.text.replace('HENNEPIN_SHERIFF', 'HENNEPIN_SHERIFE'));
    expect(await verifyPath(join(dataDir, 'evidence-changed.json'), { jwks })).toMatchObject({ ok: false });
  });

  it('refuses everyone but the attorney role', async () => {
    const requester = await request(firewall.app).get('/v1/audit/entries').set('authorization', `Bearer ${await token('CITY_ATTORNEY_CRIMINAL', 'CITY_ATTORNEY')}`);
    expect(requester.status).toBe(403);
    expect(requester.body.code).toBe('PF_AUTH_ROLE_NOT_GRANTED');
    const noRole = await request(firewall.app).get('/v1/audit/entries').set('authorization', `Bearer ${await token('CITY_ATTORNEY_CRIMINAL')}`);
    expect(noRole.status).toBe(403);
    expect(noRole.body.code).toBe('PF_AUTH_FORBIDDEN');
    expect((await request(firewall.app).get('/v1/audit/entries')).status).toBe(401);
  });

  it('chains every request before its decision', async () => {
    const all = await request(firewall.app).get('/v1/audit/entries').query({ limit: 500 }).set('authorization', `Bearer ${await attorney()}`);
    const seqOf = (type: string, id: string) => all.body.entries.find((e: { type: string; requestId: string }) => e.type === type && e.requestId === id)?.seq as number;
    const decided = all.body.entries.filter((e: { type: string }) => e.type === 'DECISION');
    expect(decided.length).toBeGreaterThanOrEqual(3);
    for (const d of decided) expect(seqOf('REQUEST_RECEIVED', d.requestId)).toBeLessThan(d.seq);
  });

  it('no personal value reaches the ledger, the evidence or the logs', async () => {
    await bus.settled();
    const ledgerDir = join(dataDir, 'ledger');
    const haystacks = [
      ...readdirSync(ledgerDir).map((f) => readFileSync(join(ledgerDir, f), 'utf8')),
      readFileSync(join(dataDir, 'evidence.json'), 'utf8'),
      logLines.join(''),
    ];
    expect(logLines.length).toBeGreaterThan(10);
    for (const value of Object.values(personal)) for (const text of haystacks) expect(text).not.toContain(value);
  });
});
