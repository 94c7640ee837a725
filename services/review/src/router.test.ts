import { randomUUID } from 'node:crypto';
import express from 'express';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryReplayGuard, createAuthenticator, createEdge, tokenAudience, type AgencyRegistry, type Edge } from '@firewall/http';
import { avroCodec, consume, topics, type AccessEvent } from '@firewall/core';
import { REVIEW_HEADER, createReviewRouter } from './router.js';
import { ReviewerSessions, SESSION_COOKIE } from './sessions.js';
import { deskHarness, silentLogger, type DeskHarness } from './test-support.js';

let privateKey: CryptoKey;
let registry: AgencyRegistry;

beforeAll(async () => {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'EdDSA' };
  registry = { agencies: Object.fromEntries(['CITY_ATTORNEY_DATA_PRACTICES', 'CITY_ATTORNEY_CRIMINAL', 'FBI'].map((code) => [code, { jwks: { keys: [jwk] } }])) };
  // The registry grants the data-practices office its reviewer roles, and (to test the desk's own check) CITY_IT.
  registry = { agencies: { ...registry.agencies, CITY_ATTORNEY_DATA_PRACTICES: { ...registry.agencies.CITY_ATTORNEY_DATA_PRACTICES!, roles: ['CITY_ATTORNEY', 'DATA_PRACTICES_REVIEWER', 'CITY_IT'] } } };
});

const token = (agency: string, role?: string) => new SignJWT(role ? { role } : {})
  .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' }).setIssuer(agency).setAudience(tokenAudience)
  .setIssuedAt().setExpirationTime('5m').setJti(randomUUID()).sign(privateKey);
const attorney = () => token('CITY_ATTORNEY_DATA_PRACTICES', 'CITY_ATTORNEY');

async function setup(options: { now?: () => number } = {}): Promise<{ app: express.Express; h: DeskHarness; edge: Edge }> {
  const h = await deskHarness();
  const app = express();
  const edge = createEdge({ auth: createAuthenticator(registry, { replay: new MemoryReplayGuard() }), bus: h.bus, codec: avroCodec, logger: silentLogger });
  app.use(createReviewRouter({ desk: h.desk, edge, logger: silentLogger, sessions: new ReviewerSessions({ now: options.now }) }));
  app.use((_req, res) => void res.status(404).json({ fallthrough: true }));
  app.use(edge.errors);
  return { app, h, edge };
}

describe('review API: who may review', () => {
  it('without a token or session, then 401; refusals are audited, counted together', async () => {
    const { app, h, edge } = await setup();
    const res = await request(app).get('/v1/reviews');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: expect.any(String), code: 'PF_AUTH_MISSING', requestId: expect.any(String), details: [] });
    expect((await request(app).get('/v1/reviews')).status).toBe(401);
    await edge.close();
    await h.bus.settled();
    expect(h.rejections).toMatchObject([{ code: 'PF_AUTH_MISSING', status: 401, agency: null, count: 2 }]);
  });

  it.each([
    ['a requester agency without a role', 'FBI', undefined, 'PF_AUTH_FORBIDDEN'],
    ['a requester agency claiming the attorney role', 'FBI', 'CITY_ATTORNEY', 'PF_AUTH_ROLE_NOT_GRANTED'],
    ["the city attorney's criminal division (a requester)", 'CITY_ATTORNEY_CRIMINAL', 'CITY_ATTORNEY', 'PF_AUTH_ROLE_NOT_GRANTED'],
    ['the data-practices office without a reviewer role', 'CITY_ATTORNEY_DATA_PRACTICES', 'CITY_IT', 'PF_AUTH_FORBIDDEN'],
  ])('when the token is from %s, then 403 %s', async (_label, agency, role, code) => {
    const { app } = await setup();
    const res = await request(app).get('/v1/reviews').set('authorization', `Bearer ${await token(agency, role)}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe(code);
  });

  it.each(['CITY_ATTORNEY', 'DATA_PRACTICES_REVIEWER'])('when the data-practices office signs with role %s, then the cases are listed', async (role) => {
    const { app, h } = await setup();
    const id = await h.openOne();
    const res = await request(app).get('/v1/reviews?status=OPEN').set('authorization', `Bearer ${await token('CITY_ATTORNEY_DATA_PRACTICES', role)}`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.cases.map((c: { caseId: string }) => c.caseId)).toEqual([id]);
    expect(res.body.cases[0].requestedFields).toEqual(['full_name', 'residential_address', 'date_of_birth']);
  });

  it('a token is single-use: replayed, it is refused', async () => {
    const { app } = await setup();
    const once = await attorney();
    expect((await request(app).get('/v1/reviews').set('authorization', `Bearer ${once}`)).status).toBe(200);
    const again = await request(app).get('/v1/reviews').set('authorization', `Bearer ${once}`);
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('PF_AUTH_REPLAYED');
  });
});

describe('review API: sessions', () => {
  it('exchanges one token for an HttpOnly, SameSite=Strict cookie that serves many calls for 30 minutes', async () => {
    let now = Date.now();
    const { app, h } = await setup({ now: () => now });
    const id = await h.openOne();
    const signIn = await request(app).post('/v1/reviews/session').set(REVIEW_HEADER, '1').set('authorization', `Bearer ${await attorney()}`);
    expect(signIn.status).toBe(201);
    expect(signIn.body).toMatchObject({ role: 'CITY_ATTORNEY', expiresAt: expect.any(String) });
    const setCookie = String(signIn.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[\\w-]{43};`));
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Max-Age=1800');
    const cookie = setCookie.split(';')[0]!;
    expect((await request(app).get('/v1/reviews/session')).body).toEqual({ signedIn: false });
    expect((await request(app).get('/v1/reviews/session').set('cookie', cookie)).body).toEqual({ signedIn: true, role: 'CITY_ATTORNEY', expiresAt: signIn.body.expiresAt });
    expect((await request(app).get('/v1/reviews').set('cookie', cookie)).status).toBe(200);
    expect((await request(app).get(`/v1/reviews/${id}`).set('cookie', cookie)).body.caseId).toBe(id);
    now += 30 * 60 * 1000 + 1;
    const expired = await request(app).get('/v1/reviews').set('cookie', cookie);
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('PF_AUTH_INVALID');
  });

  it('a POST without the custom header is refused (CSRF), even with a valid session', async () => {
    const { app, h } = await setup();
    const id = await h.openOne();
    expect((await request(app).post('/v1/reviews/session').set('authorization', `Bearer ${await attorney()}`)).status).toBe(403);
    const signIn = await request(app).post('/v1/reviews/session').set(REVIEW_HEADER, '1').set('authorization', `Bearer ${await attorney()}`);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    const res = await request(app).post(`/v1/reviews/${id}/resolution`).set('cookie', cookie).send({ outcome: 'DENY', fields: [], note: 'n' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('PF_REVIEW_HEADER_REQUIRED');
    expect(h.desk.get(id)?.status).toBe('OPEN');
  });

  it('signing out ends the session', async () => {
    const { app } = await setup();
    const signIn = await request(app).post('/v1/reviews/session').set(REVIEW_HEADER, '1').set('authorization', `Bearer ${await attorney()}`);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    expect((await request(app).delete('/v1/reviews/session').set(REVIEW_HEADER, '1').set('cookie', cookie)).status).toBe(204);
    expect((await request(app).get('/v1/reviews').set('cookie', cookie)).status).toBe(401);
  });
});

describe('review API: resolving', () => {
  const resolve = async (app: express.Express, id: string, body: unknown) => request(app).post(`/v1/reviews/${id}/resolution`)
    .set(REVIEW_HEADER, '1').set('authorization', `Bearer ${await attorney()}`).send(body as object);

  it('ALLOW within the request → 200 and the resolution is published; wider → 400; again → 409; unknown → 404', async () => {
    const { app, h } = await setup();
    const accesses: AccessEvent[] = [];
    await consume({ bus: h.bus, codec: avroCodec, logger: silentLogger, topic: topics.access, group: 'test-access', handle: async (a) => void accesses.push(a) });
    const id = await h.openOne();
    const wide = await resolve(app, id, { outcome: 'ALLOW', fields: ['full_name', 'immigration_status'], note: 'n' });
    expect(wide.status).toBe(400);
    expect(wide.body).toMatchObject({ code: 'PF_REVIEW_FIELDS_TOO_WIDE', requestId: expect.any(String), details: ['fields.1'] });
    expect(wide.body.error).not.toContain('immigration_status');
    const ok = await resolve(app, id, { outcome: 'ALLOW', fields: ['date_of_birth'], note: 'DOB only.' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'ALLOW', fields: ['date_of_birth'], note: 'DOB only.', reviewerRole: 'CITY_ATTORNEY', published: true } });
    const again = await resolve(app, id, { outcome: 'DENY', fields: [], note: 'n' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('PF_REVIEW_ALREADY_RESOLVED');
    expect((await resolve(app, randomUUID(), { outcome: 'DENY', fields: [], note: 'n' })).status).toBe(404);
    expect((await resolve(app, id, '{not json')).status).toBe(400);
    await h.bus.settled();
    expect(h.resolutions.map((r) => r.fields)).toEqual([['date_of_birth']]);
    // Each attempt is in the audit trail's own trail, as the reviewer's: refusals with their codes, the grant with its case.
    expect(accesses.map((a) => [a.action, a.outcome, a.code, a.requestId, a.agency, a.role])).toEqual([
      ['REVIEW_RESOLVE', 'REFUSED', 'PF_REVIEW_FIELDS_TOO_WIDE', id, 'CITY_ATTORNEY_DATA_PRACTICES', 'CITY_ATTORNEY'],
      ['REVIEW_RESOLVE', 'GRANTED', null, id, 'CITY_ATTORNEY_DATA_PRACTICES', 'CITY_ATTORNEY'],
      ['REVIEW_RESOLVE', 'REFUSED', 'PF_REVIEW_ALREADY_RESOLVED', id, 'CITY_ATTORNEY_DATA_PRACTICES', 'CITY_ATTORNEY'],
      ['REVIEW_RESOLVE', 'REFUSED', 'PF_REVIEW_NOT_FOUND', null, 'CITY_ATTORNEY_DATA_PRACTICES', 'CITY_ATTORNEY'],
      // Refused before the case was looked up: which case it named is not known to be real.
      ['REVIEW_RESOLVE', 'REFUSED', 'PF_REQ_NOT_JSON', null, 'CITY_ATTORNEY_DATA_PRACTICES', 'CITY_ATTORNEY'],
    ]);
  });

  it('GET /v1/reviews?status=RESOLVED lists resolved cases; a bad status is a 400', async () => {
    const { app, h } = await setup();
    const id = await h.openOne();
    await resolve(app, id, { outcome: 'DENY', fields: [], note: 'n' });
    const resolved = await request(app).get('/v1/reviews?status=RESOLVED').set('authorization', `Bearer ${await attorney()}`);
    expect(resolved.body.cases.map((c: { caseId: string }) => c.caseId)).toEqual([id]);
    const open = await request(app).get('/v1/reviews').set('authorization', `Bearer ${await attorney()}`);
    expect(open.body.cases).toEqual([]);
    expect((await request(app).get('/v1/reviews?status=LATER').set('authorization', `Bearer ${await attorney()}`)).status).toBe(400);
  });
});

describe('review page and keys', () => {
  it('serves a self-contained page under a strict CSP, and the JWKS that verifies notes; other paths fall through', async () => {
    const { app, h } = await setup();
    const page = await request(app).get('/review');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(page.text).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//);
    const jwks = await request(app).get('/v1/reviews/jwks.json');
    expect(jwks.body).toEqual({ keys: [h.signer.publicJwk] });
    expect((await request(app).get('/v1/requests/x')).body).toEqual({ fallthrough: true });
  });
});

describe('review API: findings preview', () => {
  const preview = async (app: express.Express, id: string, body: unknown, header = true) => {
    const call = request(app).post(`/v1/reviews/${id}/findings:preview`).set('authorization', `Bearer ${await attorney()}`);
    return (header ? call.set(REVIEW_HEADER, '1') : call).send(body as object);
  };

  it('returns the re-decision without resolving, audited as a view of the case; bad findings → 400 with paths; no header → 403', async () => {
    const { app, h } = await setup();
    const accesses: AccessEvent[] = [];
    await consume({ bus: h.bus, codec: avroCodec, logger: silentLogger, topic: topics.access, group: 'test-access', handle: async (a) => void accesses.push(a) });
    const id = await h.openOne();
    const findings = { court: 'D. Minn.', judgeSigned: false, namedSubjects: 1 };
    const res = await preview(app, id, { findings });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      caseId: id, findings: { ...findings, verified: null, expires: null, listedFields: null, criminalPredicate: null },
      // The sample case is an FBI grand-jury subpoena: R6 sends it to a reviewer whatever its facts.
      redecision: { decision: 'REVIEW', released: [], allowable: null, policy: { revision: expect.any(String) } },
    });
    expect(res.body.redecision.rules.map((r: { id: string }) => r.id)).toContain('R6');
    const bad = await preview(app, id, { findings: { listedFields: ['SECRET_FIELD'] } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'PF_REVIEW_INVALID', details: ['findings.listedFields.0'] });
    expect(JSON.stringify(bad.body)).not.toContain('SECRET_FIELD');
    expect((await preview(app, id, { findings }, false)).status).toBe(403);
    expect((await preview(app, randomUUID(), { findings })).status).toBe(404);
    expect(h.desk.get(id)?.status).toBe('OPEN');
    await h.bus.settled();
    expect(h.resolutions).toEqual([]);
    expect(accesses.map((a) => [a.action, a.outcome, a.code, a.requestId])).toEqual([
      ['REVIEW_VIEW', 'GRANTED', null, id],
      ['REVIEW_VIEW', 'REFUSED', 'PF_REVIEW_INVALID', id],
      // (The call without the header was refused before its caller was known: a counted rejection, not an access.)
      ['REVIEW_VIEW', 'REFUSED', 'PF_REVIEW_NOT_FOUND', null],
    ]);
  });
});
