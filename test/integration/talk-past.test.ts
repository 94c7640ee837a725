/**
 * Nobody talks past the firewall (embedded mode, over HTTP, as `npx firewall start` runs it): what a requester
 * says about itself — legal facts, a resident's authorization, a role, a token's bookkeeping — releases nothing;
 * only a credential from a registered legal issuer, bound to the agency and the subject, does. Every use of the
 * audit API and the review desk is in the ledger; refusals before authentication cannot grow it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, decodeJwt, generateKeyPair, importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialAudience, credentialMediaType, subjectDigest, tokenAudience } from '@firewall/http';
import { ledgerEntries, searchLedger } from '@firewall/ledger';
import { decryptPayload, fictionalRecords, jweFrom } from '@firewall/releaser';
import { loadConfig } from '../../services/cli/src/config.js';
import { mintCredential } from '../../services/cli/src/dev-credentials.js';
import { cityItAgency, devEncryptionKey, mintDevToken } from '../../services/cli/src/dev-keys.js';
import { start } from '../../services/cli/src/start.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pf-talk-past-'));
const ledgerDir = join(dataDir, 'ledger');
let url = '';
let stop: () => Promise<void> = async () => undefined;
let stopped = false;

const cards = fictionalRecords('municipal_id');
const card = String(cards[2]!.card_number);
const otherCard = String(cards[3]!.card_number);
const citation = String(fictionalRecords('summons')[0]!.citation_id);

beforeAll(async () => {
  const lines: string[] = [];
  ({ stop } = await start(loadConfig({ FIREWALL_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT_PER_SOURCE: '100000/100000' }), (line) => lines.push(line)));
  url = /listening on (http:\/\/[\d.]+:\d+)/.exec(lines.join('\n'))![1]!;
}, 60_000);

afterAll(async () => {
  if (!stopped) await stop();
});

const token = (agency: string, role?: string) => mintDevToken(dataDir, agency, role ? { role } : {});

async function call(path: string, options: { agency?: string; role?: string; token?: string; body?: unknown; method?: string; headers?: Record<string, string> } = {}) {
  const bearer = options.token ?? (options.agency ? await token(options.agency, options.role) : undefined);
  const res = await fetch(`${url}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

const subjectAccess = (subjectIds: string[], legalBasis: Record<string, unknown>) => ({
  purpose: { code: 'IMMIGRATION_BENEFIT' }, legalBasis, system: 'municipal_id', fields: ['full_name', 'residential_address'], subjectIds,
});

const residentConsent = (agency: string, subject: string, ttlSeconds?: number) => mintCredential(dataDir, {
  issuer: 'MUNICIPAL_ID_OFFICE', type: 'SUBJECT_AUTHORIZATION', agency, subjects: [subject], ...(ttlSeconds ? { ttlSeconds } : {}),
});

async function entries(query: Record<string, string | number>) {
  return (await searchLedger(ledgerEntries(ledgerDir), { limit: 10_000, ...query })).entries.map(({ entry }) => ({ ...entry, summary: entry.summary as Record<string, unknown> }));
}

describe('what a requester says about itself releases nothing', () => {
  it.each(['USCIS', 'PUBLIC', 'JOURNALIST', 'PRIVATE_COMPANY'])('a self-verified subject authorization from %s on municipal_id', async (agency) => {
    const res = await call('/v1/requests', { agency, body: { ...subjectAccess([card], { type: 'SUBJECT_AUTHORIZATION', verified: true }), purpose: { code: 'SUBJECT_ACCESS' } } });
    expect(res.status).not.toBe(200);
    expect(res.body).not.toHaveProperty('records');
    expect(res.body.decision).toMatch(/^(DENY|REVIEW)$/);
  });

  it.each(['PRIVATE_COMPANY', 'MN_POLICE_OTHER'])('a self-declared judge-signed warrant on summons from %s', async (agency) => {
    const res = await call('/v1/requests', {
      agency,
      body: {
        purpose: { code: 'CRIMINAL_INVESTIGATION' }, system: 'summons', fields: ['full_name', 'residential_address', 'offense'], subjectIds: [citation],
        legalBasis: { type: 'JUDICIAL_WARRANT', judgeSigned: true, court: 'Hennepin County District Court', expires: '2030-01-01', namedSubjects: 1, listedFields: ['full_name', 'residential_address', 'offense'] },
      },
    });
    expect(res.status).not.toBe(200);
    expect(res.body).not.toHaveProperty('records');
  });
});

describe('a credential from a registered legal issuer, for that agency and that subject', () => {
  it('opens the subject\'s own record: ALLOW, and the records decrypt to that one resident', async () => {
    const res = await call('/v1/requests', { agency: 'USCIS', body: subjectAccess([card], { type: 'SUBJECT_AUTHORIZATION', credential: await residentConsent('USCIS', card) }) });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe('ALLOW');
    const records = await decryptPayload(jweFrom(JSON.stringify(res.body)), devEncryptionKey(dataDir)) as { records: Record<string, unknown>[] } | Record<string, unknown>[];
    const list = Array.isArray(records) ? records : records.records;
    expect(list).toHaveLength(1);
    expect(Object.keys(list[0]!).filter((k) => !k.startsWith('_')).sort()).toEqual(expect.arrayContaining(['full_name', 'residential_address']));
    expect(list[0]!.full_name).toBe(cards[2]!.full_name);
  });

  it('is refused, with its own code and an audit entry, for another subject, another agency, when expired, altered or signed by an unregistered key', async () => {
    const consent = await residentConsent('USCIS', card);
    const [header, payload, signature] = consent.split('.') as [string, string, string];
    const altered = `${header}.${payload.slice(0, -2)}${payload.endsWith('A') ? 'B' : 'A'}${payload.slice(-1)}.${signature}`;
    const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const claims = decodeJwt(consent);
    // Signed by a key the registry does not hold (with its own key id, as any real key has).
    const forged = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'EdDSA', typ: credentialMediaType, kid: 'not-a-registered-key' }).sign(stranger.privateKey);
    const expiring = await residentConsent('USCIS', card, 1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const cases: [string, string, string[], string][] = [
      ['another subject', 'USCIS', [otherCard], consent],
      ['another agency', 'JOURNALIST', [card], consent],
      ['expired', 'USCIS', [card], expiring],
      ['altered', 'USCIS', [card], altered],
      ['an unregistered key', 'USCIS', [card], forged],
    ];
    const codes: Record<string, string> = {};
    for (const [label, agency, subjects, credential] of cases) {
      const res = await call('/v1/requests', { agency, body: subjectAccess(subjects, { type: 'SUBJECT_AUTHORIZATION', credential }) });
      expect(res.status, label).toBeGreaterThanOrEqual(400);
      expect(res.status, label).toBeLessThan(500);
      expect(res.body, label).not.toHaveProperty('records');
      codes[label] = String(res.body.code);
    }
    expect(codes).toEqual({
      'another subject': 'PF_CREDENTIAL_WRONG_SUBJECT', 'another agency': 'PF_CREDENTIAL_WRONG_AGENCY', expired: 'PF_CREDENTIAL_EXPIRED',
      altered: 'PF_CREDENTIAL_INVALID', 'an unregistered key': 'PF_CREDENTIAL_UNKNOWN_ISSUER',
    });
    // Each refusal is its own entry (an authenticated caller), with the reason code and the agency, never the ids.
    await expect.poll(async () => (await entries({ type: 'REJECTED_INPUT' })).filter((e) => String(e.summary.reason).startsWith('PF_CREDENTIAL_')).map((e) => [e.summary.reason, e.summary.agency]).sort(), { timeout: 10_000 })
      .toEqual(Object.entries(codes).map(([label, code]) => [code, label === 'another agency' ? 'JOURNALIST' : 'USCIS']).sort());
    const ledgerText = readdirSync(ledgerDir).filter((f) => f.startsWith('entries')).map((f) => readFileSync(join(ledgerDir, f), 'utf8')).join('');
    for (const id of [card, otherCard, subjectDigest(card)]) expect(ledgerText).not.toContain(id);
    expect(claims.aud).toBe(credentialAudience);
  });
});

describe('roles come from the registry', () => {
  it('a role the registry does not grant is refused; a dry run is audited as the caller\'s agency', async () => {
    const body = { requester: { agency: 'ICE_ERO', verified: true }, purpose: { code: 'CIVIL_IMMIGRATION_ENFORCEMENT' }, system: 'municipal_id', fields: ['full_name'] };
    const selfGranted = await call('/v1/decisions:evaluate', { agency: 'CITY_CLERK', role: 'CITY_IT', body });
    expect(selfGranted.status).toBe(403);
    expect(selfGranted.body.code).toBe('PF_AUTH_ROLE_NOT_GRANTED');
    const dry = await call('/v1/decisions:evaluate', { agency: cityItAgency, role: 'CITY_IT', body });
    expect(dry.status).toBe(200);
    expect(dry.body.decision).toBe('DENY');
    const id = String(dry.body.requestId);
    await expect.poll(async () => (await entries({ requestId: id })).map((e) => [e.type, e.summary.agency]), { timeout: 10_000 })
      .toEqual([['DRY_RUN', cityItAgency], ['DRY_RUN', cityItAgency]]);
  });
});

describe('the audit trail has its own trail', () => {
  it('every use of the audit API and the review desk, and every refused attempt by a known caller, is an ACCESS entry', async () => {
    const attorney = { agency: 'CITY_ATTORNEY_DATA_PRACTICES', role: 'CITY_ATTORNEY' };
    const held = await call('/v1/requests', { agency: 'FBI', body: { purpose: { code: 'CRIMINAL_INVESTIGATION' }, legalBasis: { type: 'GRAND_JURY_SUBPOENA' }, system: 'summons', fields: ['full_name'], subjectIds: [citation] } });
    expect(held.status).toBe(202);
    const caseId = String(held.body.requestId);
    const hash = await call('/v1/audit/subject-hash', { ...attorney, body: { id: citation } });
    expect(hash.status).toBe(200);
    const uses = [
      await call(`/v1/audit/entries?agency=FBI&subjectHash=${String(hash.body.subjectHash)}`, attorney),
      await call(`/v1/audit/requests/${caseId}/evidence`, attorney),
      await call('/v1/reviews?status=OPEN', attorney),
      await call(`/v1/reviews/${caseId}`, attorney),
      await call('/v1/reviews/session', { ...attorney, method: 'POST', headers: { 'x-firewall-review': '1' } }),
    ];
    expect(uses.map((u) => u.status)).toEqual([200, 200, 200, 200, 201]);
    const refused = [
      await call('/v1/audit/entries', { agency: 'FBI' }),
      await call(`/v1/reviews/${caseId}`, { agency: 'ICE_ERO' }),
      await call('/v1/audit/requests/no-such-request/evidence', attorney),
    ];
    expect(refused.map((u) => [u.status, u.body.code])).toEqual([[403, 'PF_AUTH_FORBIDDEN'], [403, 'PF_AUTH_FORBIDDEN'], [404, 'PF_NOT_FOUND']]);
    const expected = [
      ['AUDIT_SUBJECT_HASH', 'GRANTED', 'CITY_ATTORNEY_DATA_PRACTICES'], ['AUDIT_SEARCH', 'GRANTED', 'CITY_ATTORNEY_DATA_PRACTICES'],
      ['AUDIT_EVIDENCE', 'GRANTED', 'CITY_ATTORNEY_DATA_PRACTICES'], ['REVIEW_LIST', 'GRANTED', 'CITY_ATTORNEY_DATA_PRACTICES'],
      ['REVIEW_VIEW', 'GRANTED', 'CITY_ATTORNEY_DATA_PRACTICES'], ['REVIEW_SIGN_IN', 'GRANTED', 'CITY_ATTORNEY_DATA_PRACTICES'],
      ['AUDIT_SEARCH', 'REFUSED', 'FBI'], ['REVIEW_VIEW', 'REFUSED', 'ICE_ERO'], ['AUDIT_EVIDENCE', 'REFUSED', 'CITY_ATTORNEY_DATA_PRACTICES'],
    ];
    await expect.poll(async () => (await entries({ type: 'ACCESS' })).map((e) => [e.summary.action, e.summary.outcome, e.summary.agency]), { timeout: 10_000 }).toEqual(expected);
    const trail = await entries({ type: 'ACCESS' });
    console.info(`ACCESS entries:\n${trail.map((e) => `  #${e.seq} ${String(e.summary.action)} ${String(e.summary.outcome)} ${String(e.summary.agency)}/${String(e.summary.role ?? '-')} status ${String(e.summary.status)}${e.requestId ? ` request ${e.requestId}` : ''}${e.summary.filters ? ` filters ${JSON.stringify(e.summary.filters)}` : ''}`).join('\n')}`);
    // The look-up and the search carry the subject's keyed hash, the evidence download its request; never the id.
    expect(trail[0]!.summary.subjectHashes).toEqual([hash.body.subjectHash]);
    expect(trail[1]!.summary.filters).toEqual(['agency', 'subjectHash']);
    expect(trail[2]!.requestId).toBe(caseId);
    expect(trail[8]!.requestId).toBeNull();
    expect(JSON.stringify(trail)).not.toContain(citation);
    // The trail shows in the audit search itself.
    const viaApi = await call('/v1/audit/entries?type=ACCESS&limit=100', attorney);
    expect((viaApi.body.entries as unknown[]).length).toBeGreaterThanOrEqual(expected.length);
  });
});

describe('operators only, and token hygiene', () => {
  it('/metrics answers only an operator', async () => {
    expect((await call('/metrics')).status).toBe(401);
    expect((await call('/metrics', { agency: 'PUBLIC' })).status).toBe(403);
    const operator = await call('/metrics', { agency: cityItAgency, role: 'OPERATOR' });
    expect(operator.status).toBe(200);
    expect(String(operator.body.text)).toContain('firewall_decisions_total');
  });

  it('an object jti and a century-long lifetime are refused, and a replayed token too', async () => {
    const key = await importPKCS8(readFileSync(join(dataDir, 'keys', 'dev-agency.key.pem'), 'utf8'), 'EdDSA');
    const kid = (JSON.parse(readFileSync(join(dataDir, 'agencies.json'), 'utf8')) as { agencies: Record<string, { jwks: { keys: { kid: string }[] } }> }).agencies.MPD!.jwks.keys[0]!.kid;
    const sign = (claims: Record<string, unknown>, exp: string) => new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).setIssuer('MPD').setAudience(tokenAudience).setIssuedAt().setExpirationTime(exp).sign(key);
    const body = { purpose: { code: 'CODE_ENFORCEMENT' }, system: 'service_requests', fields: ['service_type'] };
    const objectJti = await sign({ jti: { id: 'x' } }, '5m');
    expect((await call('/v1/requests', { token: objectJti, body })).body.code).toBe('PF_AUTH_INVALID');
    expect((await call('/v1/requests', { token: objectJti, body })).body.code).toBe('PF_AUTH_INVALID');
    expect((await call('/v1/requests', { token: await sign({ jti: randomUUID() }, '100y'), body })).body.code).toBe('PF_AUTH_INVALID');
    const once = await sign({ jti: randomUUID() }, '5m');
    expect((await call('/v1/requests', { token: once, body })).status).toBe(200);
    expect((await call('/v1/requests', { token: once, body })).body.code).toBe('PF_AUTH_REPLAYED');
  });

  it('1,000 token-less requests add at most a few ledger entries, chained with their count', async () => {
    const before = (await entries({})).length;
    const body = JSON.stringify({ purpose: { code: 'CODE_ENFORCEMENT' }, system: 'service_requests', fields: ['service_type'] });
    for (let batch = 0; batch < 10; batch++) {
      const statuses = await Promise.all(Array.from({ length: 100 }, () => fetch(`${url}/v1/requests`, { method: 'POST', body, headers: { 'content-type': 'application/json' } }).then(async (r) => (await r.arrayBuffer(), r.status))));
      expect(statuses.every((s) => s === 401)).toBe(true);
    }
    // Counted in memory, chained once per reason when the interval ends (here: at the graceful stop).
    stopped = true;
    await stop();
    const added = (await entries({})).slice(before);
    const refusals = added.filter((e) => e.type === 'REJECTED_INPUT' && e.summary.reason === 'PF_AUTH_MISSING');
    // 1,000 here, and the anonymous /metrics call above (same reason, same interval).
    expect(refusals.map((e) => Number(e.summary.count)).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1000);
    expect(refusals.map((e) => Number(e.summary.count)).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1001);
    expect(added.length).toBeLessThanOrEqual(5);
  });
});
