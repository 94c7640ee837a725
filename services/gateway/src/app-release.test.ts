import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { MemoryBus, Readiness, avroCodec, consume, createLogger, loadCatalog, topics, type Decision, type Release } from '@firewall/core';
import { PendingReleases, followReleases } from '@firewall/releaser';
import { createGatewayApp } from './app.js';
import { MemoryReplayGuard, createAuthenticator, createEdge, tokenAudience } from '@firewall/http';
import { PendingOutcomes } from './outcomes.js';
import { followDecisions } from './service.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const body = { purpose: { code: 'CODE_ENFORCEMENT' }, system: 'service_requests', fields: ['service_type', 'caller_name'] };

/** A gateway with a stand-in decider (always `outcome`) and a stand-in releaser (`release`, or none). */
async function setup(outcome: Decision['decision'], release?: (requestId: string) => Release | undefined) {
  const key = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const auth = createAuthenticator({ agencies: { CITY_REGULATORY_SERVICES: { jwks: { keys: [await exportJWK(key.publicKey)] } } } }, { replay: new MemoryReplayGuard() });
  const bus = new MemoryBus();
  const pending = new PendingOutcomes({ awaitLedger: false }); // no ledger here: the gateway's own behaviour is under test
  const releases = new PendingReleases();
  await followDecisions({ bus, codec: avroCodec, logger, pending });
  await followReleases({ bus, codec: avroCodec, logger, pending: releases });
  await consume({
    bus, codec: avroCodec, logger, topic: topics.requests, group: 'decider',
    handle: async (r) => {
      const released = outcome === 'DENY' ? [] : ['service_type'];
      const decision: Decision = {
        requestId: r.requestId, decidedAt: new Date().toISOString(), decision: outcome,
        fields: r.fields.map((name) => ({ name, outcome: released.includes(name) ? 'release' : 'withhold', rules: ['R15'], transform: null })),
        released, withheld: r.fields.filter((f) => !released.includes(f)), rules: [{ id: 'R15', title: 't', sources: ['s'] }], decisive: ['R15'],
        reasons: [], alerts: [], councilReport: false, openQuestions: [], policy: { revision: 'test', digest: 'd' }, failure: null,
        context: { agency: r.requester.agency, purpose: r.purpose.code, basisType: 'NONE', channel: 'RECORD_REQUEST', system: r.system, selection: 'NAMED', count: 1, dryRun: false },
      };
      await bus.publish(topics.decisions, r.requestId, await avroCodec.encode(topics.decisions, decision));
      const answer = release?.(r.requestId);
      if (answer) await bus.publish(topics.releases, r.requestId, await avroCodec.encode(topics.releases, answer));
    },
  });
  const app = createGatewayApp({
    bus, codec: avroCodec, catalog: loadCatalog(), edge: createEdge({ auth, bus, codec: avroCodec, logger }), pending, logger, decisionTimeoutMs: 2_000, readiness: new Readiness(),
    releases: { pending: releases, timeoutMs: 300 },
  });
  const token = () => new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).setIssuer('CITY_REGULATORY_SERVICES').setAudience(tokenAudience)
    .setIssuedAt().setExpirationTime('5m').setJti(randomUUID()).sign(key.privateKey);
  return { app, token, releases };
}

const releaseOf = (requestId: string, failure?: string): Release => ({
  requestId, releasedAt: new Date().toISOString(), authority: 'DECISION', authorityDigest: 'a'.repeat(64), outcome: failure ? 'FAILED' : 'RELEASED',
  failure: failure ?? null, recordCount: failure ? 0 : 1, fields: failure ? [] : ['service_type'], transformed: [], alerts: [], payload: failure ? null : 'h.k.i.c.t',
});

describe('gateway: records after an ALLOW', () => {
  it('answers 200 with the decision and the records as the releaser\'s JWE, untouched', async () => {
    const { app, token, releases } = await setup('ALLOW_REDACTED', (id) => releaseOf(id));
    const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: 'ALLOW_REDACTED', released: ['service_type'], records: { jwe: 'h.k.i.c.t', count: 1, fields: ['service_type'], transformed: [] } });
    expect(releases.size).toBe(0);
  });

  it('answers 502 PF_RELEASE_FAILED naming the cause when the record system failed, with no records', async () => {
    const { app, token } = await setup('ALLOW', (id) => releaseOf(id, 'PF_ADAPTER_TIMEOUT'));
    const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send(body);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'PF_RELEASE_FAILED', requestId: expect.any(String) });
    expect(res.body.error).toContain('PF_ADAPTER_TIMEOUT');
    expect(res.body).not.toHaveProperty('records');
  });

  it('answers 504 when no release arrives in time: nothing released', async () => {
    const { app, token, releases } = await setup('ALLOW');
    const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send(body);
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ code: 'PF_GATEWAY_TIMEOUT' });
    expect(releases.size).toBe(0);
  });

  it('does not wait for records on DENY', async () => {
    const { app, token, releases } = await setup('DENY');
    const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send(body);
    expect(res.status).toBe(403);
    expect(res.body).not.toHaveProperty('records');
    expect(releases.size).toBe(0);
  });
});
