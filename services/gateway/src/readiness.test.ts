import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { HealthState, MemoryBus, Readiness, avroCodec, consume, createLogger, loadCatalog, topics, type AuditEntry, type Decision, type RejectedInput } from '@firewall/core';
import { MemoryReplayGuard, createAuthenticator, createEdge, tokenAudience } from '@firewall/http';
import { digestEvent } from '@firewall/ledger';
import { createGatewayApp } from './app.js';
import { PendingOutcomes } from './outcomes.js';
import { followDecisions } from './service.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const body = { purpose: { code: 'CODE_ENFORCEMENT' }, system: 'service_requests', fields: ['service_type'] };

/** A gateway that waits for the ledger, a stand-in decider (DENY), and a stand-in ledger the test drives. */
async function setup(options: { ledger?: 'durable' | 'silent' | 'wrong-digest'; timeoutMs?: number } = {}) {
  const key = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwks = { keys: [await exportJWK(key.publicKey)] };
  const auth = createAuthenticator({ agencies: { CITY_REGULATORY_SERVICES: { jwks } } }, { replay: new MemoryReplayGuard() });
  const bus = new MemoryBus();
  const pending = new PendingOutcomes();
  const ledgerCheck = new HealthState('ledger');
  const readiness = new Readiness([ledgerCheck]);
  const published: string[] = [];
  const rejections: RejectedInput[] = [];
  await followDecisions({ bus, codec: avroCodec, logger, pending });
  await consume({ bus, codec: avroCodec, logger, topic: topics.rejections, group: 'audit', handle: async (r) => void rejections.push(r) });
  await consume({
    bus, codec: avroCodec, logger, topic: topics.requests, group: 'decider',
    handle: async (r) => {
      published.push(r.requestId);
      const decision: Decision = {
        requestId: r.requestId, decidedAt: new Date().toISOString(), decision: 'DENY',
        fields: r.fields.map((name) => ({ name, outcome: 'withhold', rules: ['R15'], transform: null })), released: [], withheld: r.fields,
        rules: [{ id: 'R15', title: '311 caller identity', sources: ['Minn. Stat. 13.44'] }], decisive: ['R15'], reasons: [], alerts: [],
        councilReport: false, openQuestions: [], policy: { revision: 'test', digest: 'd' }, failure: null,
        context: { agency: r.requester.agency, purpose: r.purpose.code, basisType: 'NONE', channel: 'RECORD_REQUEST', system: r.system, selection: 'NAMED', count: 1, dryRun: false },
      };
      await bus.publish(topics.decisions, r.requestId, await avroCodec.encode(topics.decisions, decision));
      const ledger = options.ledger ?? 'durable';
      if (ledger === 'silent') return;
      // What the ledger publishes after fsync: the entry of the decision, by its digest.
      const decoded = await avroCodec.decode(topics.decisions, await avroCodec.encode(topics.decisions, decision));
      const entry: AuditEntry = {
        seq: 1, prevHash: '0'.repeat(64), type: 'DECISION', requestId: r.requestId, time: new Date().toISOString(),
        eventDigest: ledger === 'durable' ? digestEvent(decoded) : digestEvent({ ...decoded, decision: 'ALLOW' }), policyRevision: 'test', summary: '{}', hash: '0'.repeat(64), jws: 'x',
      };
      await bus.publish(topics.audit, r.requestId, await avroCodec.encode(topics.audit, entry));
    },
  });
  const edge = createEdge({ auth, bus, codec: avroCodec, logger });
  const app = createGatewayApp({ bus, codec: avroCodec, catalog: loadCatalog(), edge, pending, logger, decisionTimeoutMs: options.timeoutMs ?? 2000, readiness });
  const token = () => new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).setIssuer('CITY_REGULATORY_SERVICES').setAudience(tokenAudience)
    .setIssuedAt().setExpirationTime('5m').setJti(randomUUID()).sign(key.privateKey);
  return { app, token, ledgerCheck, published, rejections };
}

describe('readiness', () => {
  it('when a check fails, then /readyz is 503 naming it with its code, and 200 again once it recovers', async () => {
    const { app, ledgerCheck } = await setup();
    expect((await request(app).get('/readyz')).body).toEqual({ ready: true, checks: [{ name: 'ledger', ok: true }] });
    ledgerCheck.fail('PF_LEDGER_UNAVAILABLE');
    const down = await request(app).get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ ready: false, checks: [{ name: 'ledger', ok: false, code: 'PF_LEDGER_UNAVAILABLE' }] });
    ledgerCheck.ok();
    expect((await request(app).get('/readyz')).status).toBe(200);
  });

  it('when the ledger cannot write, then a request is refused 503 PF_LEDGER_UNAVAILABLE and never published', async () => {
    const { app, token, ledgerCheck, published } = await setup();
    ledgerCheck.fail('PF_LEDGER_UNAVAILABLE');
    const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send(body);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('PF_LEDGER_UNAVAILABLE');
    expect(published).toEqual([]);
    ledgerCheck.ok();
    expect((await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send(body)).status).toBe(403);
  });
});

describe('nothing decided is answered before its ledger entry is durable', () => {
  it('when the decision is durable, then it is answered', async () => {
    const { app, token } = await setup({ ledger: 'durable' });
    const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send(body);
    expect(res.status).toBe(403);
    expect(res.body.decision).toBe('DENY');
  });

  it('when the decision arrives but its entry does not, then no answer until the ledger fails: 503 PF_LEDGER_UNAVAILABLE', async () => {
    const { app, token, ledgerCheck } = await setup({ ledger: 'silent', timeoutMs: 10_000 });
    setTimeout(() => ledgerCheck.fail('PF_LEDGER_UNAVAILABLE'), 300);
    const started = Date.now();
    const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send(body);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'PF_LEDGER_UNAVAILABLE' });
    expect(res.body).not.toHaveProperty('decision');
  });

  it('when the entry records another decision (digest differs), then it does not count: 504, the decision unanswered', async () => {
    const { app, token } = await setup({ ledger: 'wrong-digest', timeoutMs: 500 });
    const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`).send(body);
    expect(res.status).toBe(504);
    expect(res.body.code).toBe('PF_GATEWAY_TIMEOUT');
  });
});

describe('a body whose Content-Encoding does not decode', () => {
  it('when it says gzip but is not, then 400 PF_REQ_NOT_JSON and the refusal is audited; an unknown encoding is 415', async () => {
    const { app, token, rejections } = await setup();
    const bad = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`)
      .set('content-type', 'application/json').set('content-encoding', 'gzip').send(Buffer.from('not gzip at all'));
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('PF_REQ_NOT_JSON');
    const unknown = await request(app).post('/v1/requests').set('authorization', `Bearer ${await token()}`)
      .set('content-type', 'application/json').set('content-encoding', 'x-squeeze').send(Buffer.from('{}'));
    expect(unknown.status).toBe(415);
    expect(unknown.body.code).toBe('PF_REQ_BAD_ENCODING');
    // A body that does decode is read (over a real socket: supertest re-encodes buffers).
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const good = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/requests`, {
        method: 'POST', headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify(body)),
      });
      expect(good.status).toBe(403);
    } finally {
      server.close();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(rejections.map((r) => r.code)).toEqual(expect.arrayContaining(['PF_REQ_NOT_JSON', 'PF_REQ_BAD_ENCODING']));
  });
});

describe('PendingOutcomes', () => {
  it('when a dry run\'s request entry and decision entry both come before the decision, then the decision\'s counts', async () => {
    const pending = new PendingOutcomes();
    const decision = { requestId: 'r1', decision: 'DENY' } as unknown as Decision;
    const outcome = pending.expect('r1', 'A', 1_000);
    pending.durable({ type: 'DRY_RUN', requestId: 'r1', eventDigest: digestEvent({ requestId: 'r1', the: 'request' }) });
    pending.durable({ type: 'DRY_RUN', requestId: 'r1', eventDigest: digestEvent(decision) });
    pending.settle(decision);
    expect(await outcome).toBe(decision);
    expect(pending.lookup('r1', 'A')).toEqual({ state: 'decided', decision });
    expect(pending.lookup('r1', 'B')).toBeUndefined();
  });

  it('when the decision comes but no entry of it, then it is not answered and stays pending', async () => {
    const pending = new PendingOutcomes();
    const decision = { requestId: 'r2', decision: 'DENY' } as unknown as Decision;
    const outcome = pending.expect('r2', 'A', 100);
    pending.settle(decision);
    pending.durable({ type: 'REQUEST_RECEIVED', requestId: 'r2', eventDigest: digestEvent(decision) }); // not a decision entry
    expect(await outcome).toBeUndefined();
    expect(pending.lookup('r2', 'A')).toEqual({ state: 'pending' });
    pending.durable({ type: 'DECISION', requestId: 'r2', eventDigest: digestEvent(decision) });
    expect(pending.lookup('r2', 'A')).toEqual({ state: 'decided', decision });
  });
});
