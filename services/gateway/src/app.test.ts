import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { MemoryBus, Readiness, avroCodec, consume, createLogger, loadCatalog, topics, type Decision, type RejectedInput } from '@firewall/core';
import { MemoryReplayGuard, RateLimiter, createAuthenticator, createEdge, tokenAudience, type Rate } from '@firewall/http';
import { createGatewayApp } from './app.js';
import { PendingOutcomes } from './outcomes.js';
import { followDecisions } from './service.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const catalog = loadCatalog();
const body = { purpose: { code: 'CODE_ENFORCEMENT' }, system: 'service_requests', fields: ['service_type', 'caller_name'] };

async function setup(options: { decide?: (requestId: string) => Decision['decision']; timeoutMs?: number; perAgency?: Rate; perSource?: Rate } = {}) {
  const key = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwks = { keys: [await exportJWK(key.publicKey)] };
  const auth = createAuthenticator({ agencies: { CITY_REGULATORY_SERVICES: { jwks }, CITY_IT: { jwks, roles: ['CITY_IT'] } } }, {
    replay: new MemoryReplayGuard(), ...(options.perAgency ? { perAgency: new RateLimiter(options.perAgency) } : {}),
  });
  const bus = new MemoryBus();
  const pending = new PendingOutcomes({ awaitLedger: false }); // no ledger here: the gateway's own behaviour is under test
  const seen: { requestId: string; agency: string; verified: boolean; dryRun: boolean | undefined; dryRunBy: string | null | undefined; legalBasis: unknown }[] = [];
  const rejections: RejectedInput[] = [];
  await followDecisions({ bus, codec: avroCodec, logger, pending });
  await consume({ bus, codec: avroCodec, logger, topic: topics.rejections, group: 'audit', handle: async (r) => void rejections.push(r) });
  if (options.decide) {
    const decide = options.decide;
    // A stand-in decider: the gateway's own behaviour is under test here, the policy has its own tests.
    await consume({
      bus, codec: avroCodec, logger, topic: topics.requests, group: 'decider',
      handle: async (r) => {
        seen.push({ requestId: r.requestId, agency: r.requester.agency, verified: r.requester.verified, dryRun: r.dryRun, dryRunBy: r.dryRunBy, legalBasis: r.legalBasis });
        const outcome = decide(r.requestId);
        const released = outcome === 'ALLOW_REDACTED' ? ['service_type'] : [];
        const decision: Decision = {
          requestId: r.requestId, decidedAt: new Date().toISOString(), decision: outcome,
          fields: r.fields.map((name) => ({ name, outcome: released.includes(name) ? 'release' : 'withhold', rules: ['R15'], transform: null })),
          released, withheld: r.fields.filter((f) => !released.includes(f)),
          rules: [{ id: 'R15', title: '311 caller identity', sources: ['Minn. Stat. 13.44'] }], decisive: ['R15'], reasons: [], alerts: [],
          councilReport: false, openQuestions: [], policy: { revision: 'test', digest: 'd' }, failure: null,
          context: { agency: r.requester.agency, purpose: r.purpose.code, basisType: 'NONE', channel: 'RECORD_REQUEST', system: r.system, selection: 'NAMED', count: 1, dryRun: r.dryRun ?? false },
        };
        await bus.publish(topics.decisions, r.requestId, await avroCodec.encode(topics.decisions, decision));
      },
    });
  }
  const edge = createEdge({ auth, bus, codec: avroCodec, logger, ...(options.perSource ? { perSource: options.perSource } : {}) });
  const app = createGatewayApp({ bus, codec: avroCodec, catalog, edge, pending, logger, decisionTimeoutMs: options.timeoutMs ?? 2000, readiness: new Readiness() });
  const token = (role?: string, agency = 'CITY_REGULATORY_SERVICES') => new SignJWT(role ? { role } : {}).setProtectedHeader({ alg: 'EdDSA' }).setIssuer(agency).setAudience(tokenAudience)
    .setIssuedAt().setExpirationTime('5m').setJti(randomUUID()).sign(key.privateKey);
  return { app, token, seen, rejections, bus, edge };
}

describe('gateway', () => {
  it('when the policy allows part of a request, then 200 lists released and withheld fields', async () => {
    const { app, token, seen } = await setup({ decide: () => 'ALLOW_REDACTED' });
    const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`)
      .send({ ...body, requester: { agency: 'ICE_ERO', verified: false } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: 'ALLOW_REDACTED', released: ['service_type'], withheld: ['caller_name'] });
    // Identity comes from the token: the body's requester block is ignored.
    expect(seen[0]).toMatchObject({ agency: 'CITY_REGULATORY_SERVICES', verified: true });
  });

  it('answers 403 with cited rules and sources on DENY, and 202 with a ticket on REVIEW', async () => {
    let calls = 0;
    const { app, token } = await setup({ decide: () => (calls++ === 0 ? 'DENY' : 'REVIEW') });
    const denied = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send(body);
    expect(denied.status).toBe(403);
    expect(denied.body.rules).toEqual([{ id: 'R15', title: '311 caller identity', sources: ['Minn. Stat. 13.44'] }]);
    expect(denied.body).not.toHaveProperty('released');
    const held = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send(body);
    expect(held.status).toBe(202);
    expect(held.body.ticket).toMatchObject({ id: held.body.requestId, status: 'HELD_FOR_REVIEW' });
  });

  it('when the body is malformed, then 400 with a code, no echo of values, and the rejection is audited', async () => {
    const { app, token, rejections, bus } = await setup({ decide: () => 'ALLOW' });
    const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`)
      .send({ ...body, fields: ['service_type', 'Jane Q. Resident'] });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('PF_REQ_UNKNOWN_FIELD');
    expect(res.body).not.toHaveProperty('stack');
    const notJson = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).set('content-type', 'application/json').send('{"purpose":');
    expect(notJson.status).toBe(400);
    expect(notJson.body.code).toBe('PF_REQ_NOT_JSON');
    await bus.settled();
    expect(rejections.map((r) => r.code)).toEqual(['PF_REQ_UNKNOWN_FIELD', 'PF_REQ_NOT_JSON']);
    expect(JSON.stringify(rejections)).not.toContain('Jane');
  });

  it('when the body declares legal facts itself, then none reaches the policy: only the basis type, as a routing label', async () => {
    const { app, token, seen } = await setup({ decide: () => 'DENY' });
    const declared = {
      type: 'JUDICIAL_WARRANT', judgeSigned: true, verified: true, court: 'Hennepin County District Court', expires: '2030-01-01',
      namedSubjects: 1, listedFields: ['service_type'], criminalPredicate: '18 U.S.C. 1591',
    };
    const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send({ ...body, legalBasis: declared });
    expect(res.status).toBe(403);
    expect(seen.at(-1)?.legalBasis).toEqual({
      type: 'JUDICIAL_WARRANT', court: null, judgeSigned: null, verified: null, expires: null, namedSubjects: null, listedFields: null, criminalPredicate: null, verifiedBy: null,
    });
  });

  it('when a credential is sent but no issuer registry is configured, then it is refused with its code', async () => {
    const { app, token, seen } = await setup({ decide: () => 'ALLOW' });
    const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`)
      .send({ ...body, legalBasis: { type: 'SUBJECT_AUTHORIZATION', credential: 'a.b.c' } });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('PF_CREDENTIAL_UNKNOWN_ISSUER');
    expect(seen).toHaveLength(0);
  });

  it('refusals before authentication are chained in aggregate, per reason; an authenticated refusal keeps its own entry', async () => {
    const { app, token, rejections, bus, edge } = await setup({ decide: () => 'ALLOW' });
    for (let i = 0; i < 30; i += 1) expect((await request(app).post('/v1/requests').send(body)).status).toBe(401);
    expect((await request(app).post('/v1/requests').set('authorization', 'Bearer not.a.token').send(body)).status).toBe(401);
    await bus.settled();
    expect(rejections).toHaveLength(0); // counted, not yet chained
    expect((await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send({ ...body, fields: [] })).status).toBe(400);
    await edge.close();
    await bus.settled();
    expect(rejections.map((r) => [r.code, r.count, r.agency]).sort()).toEqual([
      ['PF_AUTH_INVALID', 1, null], ['PF_AUTH_MISSING', 30, null], ['PF_REQ_NO_FIELDS', 1, 'CITY_REGULATORY_SERVICES'],
    ]);
  });

  it('when an agency sends faster than its limit, then 429 PF_RATE_LIMITED with Retry-After', async () => {
    const { app, token, edge, bus, rejections } = await setup({ decide: () => 'DENY', perAgency: { perSecond: 0.001, burst: 2 } });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push(await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send(body));
    expect(statuses.map((r) => r.status)).toEqual([403, 403, 429]);
    expect(statuses[2]!.body.code).toBe('PF_RATE_LIMITED');
    expect(Number(statuses[2]!.headers['retry-after'])).toBeGreaterThan(0);
    // Refused before the token was spent, so counted like the other refusals before authentication.
    await edge.close();
    await bus.settled();
    expect(rejections.map((r) => [r.code, r.count, r.agency])).toEqual([['PF_RATE_LIMITED', 1, null]]);
  });

  it('when one address floods without a token, then it is limited before any token is checked', async () => {
    const { app } = await setup({ perSource: { perSecond: 0.001, burst: 3 } });
    const statuses = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await request(app).post('/v1/requests').send(body)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('when there is no token, then 401 and nothing is published', async () => {
    const { app, seen } = await setup({ decide: () => 'ALLOW' });
    const res = await request(app).post('/v1/requests').send(body);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('PF_AUTH_MISSING');
    expect(seen).toHaveLength(0);
  });

  it('when no decision arrives in time, then 504 and nothing is released', async () => {
    const { app, token } = await setup({ timeoutMs: 50 });
    const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send(body);
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ code: 'PF_GATEWAY_TIMEOUT' });
    expect(res.body).not.toHaveProperty('released');
  });

  it('dry run: city IT gets the full decision for a hypothetical requester, flagged as a dry run of its own agency; others are refused', async () => {
    const { app, token, seen } = await setup({ decide: () => 'DENY' });
    const res = await request(app).post('/v1/decisions:evaluate').set('authorization', `Bearer ${await token('CITY_IT', 'CITY_IT')}`)
      .send({ ...body, requester: { agency: 'ICE_ERO', verified: true }, dryRunBy: 'MPD' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, decision: 'DENY', policy: { revision: 'test' } });
    expect(res.body.fields).toHaveLength(2);
    expect(seen.at(-1)).toMatchObject({ agency: 'ICE_ERO', dryRun: true, dryRunBy: 'CITY_IT' });
    const refused = await request(app).post('/v1/decisions:evaluate').set('authorization', `Bearer ${await token()}`).send({ ...body, requester: { agency: 'ICE_ERO', verified: true } });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('PF_AUTH_FORBIDDEN');
    // A role the registry does not grant the agency is refused, whatever the token says.
    const selfGranted = await request(app).post('/v1/decisions:evaluate').set('authorization', `Bearer ${await token('CITY_IT')}`).send({ ...body, requester: { agency: 'ICE_ERO', verified: true } });
    expect(selfGranted.status).toBe(403);
    expect(selfGranted.body.code).toBe('PF_AUTH_ROLE_NOT_GRANTED');
    // A dry-run flag smuggled into an ordinary request is ignored: it is decided for real.
    await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send({ ...body, dryRun: true });
    expect(seen.at(-1)).toMatchObject({ agency: 'CITY_REGULATORY_SERVICES', dryRun: false });
  });

  it('serves health, readiness and the OpenAPI document; unknown paths get a coded 404', async () => {
    const { app } = await setup();
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
    const doc = await request(app).get('/openapi.json');
    expect(doc.body.paths['/v1/requests'].post.responses).toHaveProperty('403');
    expect(doc.body.components.schemas.RecordRequestBody.oneOf[0].properties).toHaveProperty('fields');
    expect((await request(app).get('/nope')).body.code).toBe('PF_NOT_FOUND');
  });
});
