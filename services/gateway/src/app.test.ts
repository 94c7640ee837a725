import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { MemoryBus, avroCodec, consume, createLogger, loadCatalog, topics, type Decision, type RejectedInput } from '@firewall/core';
import { createGatewayApp } from './app.js';
import { createAuthenticator, tokenAudience } from './auth.js';
import { PendingOutcomes } from './outcomes.js';
import { followDecisions } from './service.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const catalog = loadCatalog();
const body = { purpose: { code: 'CODE_ENFORCEMENT' }, system: 'service_requests', fields: ['service_type', 'caller_name'] };

async function setup(options: { decide?: (requestId: string) => Decision['decision']; timeoutMs?: number } = {}) {
  const key = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const auth = createAuthenticator({ agencies: { CITY_REGULATORY_SERVICES: { jwks: { keys: [await exportJWK(key.publicKey)] } } } });
  const bus = new MemoryBus();
  const pending = new PendingOutcomes();
  const seen: { requestId: string; agency: string; verified: boolean; dryRun: boolean | undefined }[] = [];
  const rejections: RejectedInput[] = [];
  await followDecisions({ bus, codec: avroCodec, logger, pending });
  await consume({ bus, codec: avroCodec, logger, topic: topics.rejections, group: 'audit', handle: async (r) => void rejections.push(r) });
  if (options.decide) {
    const decide = options.decide;
    // A stand-in decider: the gateway's own behaviour is under test here, the policy has its own tests.
    await consume({
      bus, codec: avroCodec, logger, topic: topics.requests, group: 'decider',
      handle: async (r) => {
        seen.push({ requestId: r.requestId, agency: r.requester.agency, verified: r.requester.verified, dryRun: r.dryRun });
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
  const app = createGatewayApp({ bus, codec: avroCodec, catalog, auth, pending, logger, decisionTimeoutMs: options.timeoutMs ?? 2000, isReady: () => true });
  const token = (role?: string) => new SignJWT(role ? { role } : {}).setProtectedHeader({ alg: 'EdDSA' }).setIssuer('CITY_REGULATORY_SERVICES').setAudience(tokenAudience)
    .setIssuedAt().setExpirationTime('5m').setJti(randomUUID()).sign(key.privateKey);
  return { app, token, seen, rejections, bus };
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

  it('dry run: city IT gets the full decision for a hypothetical requester, flagged as a dry run; others are refused', async () => {
    const { app, token, seen } = await setup({ decide: () => 'DENY' });
    const res = await request(app).post('/v1/decisions:evaluate').set('authorization', `Bearer ${await token('CITY_IT')}`)
      .send({ ...body, requester: { agency: 'ICE_ERO', verified: true } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, decision: 'DENY', policy: { revision: 'test' } });
    expect(res.body.fields).toHaveLength(2);
    expect(seen.at(-1)).toMatchObject({ agency: 'ICE_ERO', dryRun: true });
    const refused = await request(app).post('/v1/decisions:evaluate').set('authorization', `Bearer ${await token()}`).send({ ...body, requester: { agency: 'ICE_ERO', verified: true } });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('PF_AUTH_FORBIDDEN');
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
    expect(doc.body.components.schemas.RecordRequestBody.properties).toHaveProperty('fields');
    expect((await request(app).get('/nope')).body.code).toBe('PF_NOT_FOUND');
  });
});
