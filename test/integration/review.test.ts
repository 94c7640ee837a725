/**
 * The review desk in the embedded wiring: gateway, decider and ledger (startFirewall) on one in-process bus, the
 * desk and its router mounted in front of the gateway on the same express app. A held (REVIEW) scenario goes in
 * through POST /v1/requests, becomes a case, is resolved through the API, and the signed ReviewResolution is on
 * firewall.reviews.v1, audited as a REVIEW ledger entry and never wider than the request.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MemoryBus, avroCodec, consume, createLogger, isFirewallError, loadCatalog, topics,
  type AuditEntry, type ReviewResolution,
} from '@firewall/core';
import { loadAgencyRegistry } from '@firewall/http';
import { digestEvent, summarise, toAuditEntry, verifyPath } from '@firewall/ledger';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import {
  REVIEW_HEADER, createReviewRouter, loadOrCreateReviewKey, openFileCaseStore, reviewerAgency, startReviewDesk, verifyResolution,
  type ReviewDesk,
} from '@firewall/review';
import { ensureDevAgencies, mintDevToken } from '../../services/cli/src/dev-keys.js';
import { startFirewall, type RunningFirewall } from '../../services/cli/src/firewall.js';
import { devCredentialVerifier, presentedOverHttp } from '../helpers/credentials.js';

const logger = createLogger({ service: 'it-review', level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent' });
const dataDir = mkdtempSync(join(tmpdir(), 'pf-review-it-'));
const ledgerDir = join(dataDir, 'ledger');
const bus = new MemoryBus();
const resolutions: ReviewResolution[] = [];
const audit: AuditEntry[] = [];
let firewall: RunningFirewall;
let desk: ReviewDesk;
let openQuestions: unknown;
let evaluator: PolicyEvaluator;
let app: express.Express;

const scenario = (id: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'conformance', `${id}.json`), 'utf8')).request;
const agencyToken = (agency: string, role?: string) => mintDevToken(dataDir, agency, role ? { role } : {});
const attorneyToken = () => agencyToken(reviewerAgency, 'CITY_ATTORNEY');

async function startDesk(): Promise<ReviewDesk> {
  const signer = await loadOrCreateReviewKey(join(dataDir, 'keys', 'review-signing.key.pem'), { create: true });
  return startReviewDesk({ bus, codec: avroCodec, logger, store: await openFileCaseStore(join(dataDir, 'reviews')), signer, openQuestions, evaluator, catalog: loadCatalog() });
}

beforeAll(async () => {
  const prepared = await prepareEmbeddedBundle(dataDir);
  evaluator = await PolicyEvaluator.load(await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)));
  const data = evaluator.bundle.data as { agencies: object; open_questions: unknown };
  openQuestions = data.open_questions;
  // The reviewers' issuer is registered (keys) but is not a requesting agency in the policy data.
  const { registryPath } = await ensureDevAgencies(dataDir, [...Object.keys(data.agencies), reviewerAgency]);
  const registry = loadAgencyRegistry(registryPath);
  firewall = await startFirewall({
    bus, codec: avroCodec, catalog: loadCatalog(), evaluator, registry, logger, dataDir, ledgerDir,
    ledgerKeyPath: join(dataDir, 'keys', 'ledger.key.pem'), decisionTimeoutMs: 30_000,
    credentials: await devCredentialVerifier(dataDir),
    // The desk is started and mounted below, by this test (explicit roles keep startFirewall from adding its own).
    roles: ['gateway', 'decider', 'ledger', 'releaser'],
  });
  await auditReviewsLikeTheLedgerWill();
  const common = { bus, codec: avroCodec, logger, fromBeginning: true } as const;
  await consume({ ...common, topic: topics.reviews, group: 'it-watch-reviews', handle: async (r) => void resolutions.push(r) });
  await consume({ ...common, topic: topics.audit, group: 'it-watch-audit', handle: async (e) => void audit.push(e) });
  desk = await startDesk();
  app = express();
  app.disable('x-powered-by');
  app.use(createReviewRouter({ desk, edge: firewall.edge, logger }));
  app.use(firewall.app);
  app.use(firewall.edge.errors);
}, 60_000);

afterAll(async () => {
  await desk?.close();
  await firewall?.close();
  await bus.close();
});

/**
 * Stand-in for the REVIEW consumer proposed for the ledger service (same group name): chains each resolution as a
 * REVIEW entry and publishes the durable entry on firewall.audit.v1. Once the ledger service consumes
 * firewall.reviews.v1 itself, the group is taken and this does nothing.
 */
async function auditReviewsLikeTheLedgerWill(): Promise<void> {
  const ledger = firewall.ledger!.ledger;
  try {
    await consume({
      bus, codec: avroCodec, logger, topic: topics.reviews, group: `firewall-ledger.${topics.reviews}`, fromBeginning: true,
      handle: async (r) => {
        const stored = await ledger.append({
          type: 'REVIEW', requestId: r.requestId, eventDigest: digestEvent(r),
          summary: summarise({ reviewerRole: r.reviewerRole, decision: r.outcome, fields: r.fields ?? [] }),
        });
        await bus.publish(topics.audit, r.requestId, await avroCodec.encode(topics.audit, toAuditEntry(stored)));
      },
    });
  } catch (err) {
    if (!(isFirewallError(err) && err.code === 'PF_BUS_CLOSED')) throw err;
  }
}

async function ask(scenarioId: string, agency: string): Promise<request.Response> {
  const res = await request(app).post('/v1/requests').set('authorization', `Bearer ${await agencyToken(agency)}`).send(await presentedOverHttp(dataDir, scenario(scenarioId)));
  await bus.settled();
  return res;
}

describe('review desk, embedded wiring', () => {
  let s10: string;
  let s04: string;

  it('when FBI sends a grand-jury subpoena (S10), then 202 and a case with the request, cited rules, legal document and open question', async () => {
    const res = await ask('S10', 'FBI');
    expect(res.status).toBe(202);
    s10 = res.body.ticket.id;
    const list = await request(app).get('/v1/reviews?status=OPEN').set('authorization', `Bearer ${await attorneyToken()}`);
    expect(list.status).toBe(200);
    const found = list.body.cases.find((c: { caseId: string }) => c.caseId === s10);
    expect(found).toMatchObject({
      status: 'OPEN',
      requestedFields: ['full_name', 'residential_address', 'date_of_birth'],
      request: {
        agency: 'FBI', role: null, purpose: { code: 'CRIMINAL_INVESTIGATION', text: 'criminal investigation' }, system: 'summons',
        legalBasis: { type: 'GRAND_JURY_SUBPOENA', criminalPredicate: '18 U.S.C. 2113', judgeSigned: null, court: null },
        subjects: { count: 1, selection: 'NAMED' },
      },
      decision: { openQuestions: [{ id: 'GRAND_JURY_SUBPOENA_JUDICIAL', text: expect.stringContaining('grand-jury subpoena count as judicial process') }] },
    });
    const rules = found.decision.rules as { id: string; title: string; sources: string[] }[];
    expect(rules.map((r) => r.id)).toEqual(expect.arrayContaining(['R6', 'R16']));
    expect(rules.every((r) => r.title && r.sources.length > 0)).toBe(true);
    expect(JSON.stringify(found)).not.toContain('subjectIds');
  });

  it('when decisions are DENY, ALLOW_REDACTED or a dry run of a held request, then no case opens', async () => {
    expect((await ask('S01', 'ICE_ERO')).status).toBe(403);
    expect((await ask('S18', 'MN_COURT')).status).toBe(200);
    const dry = await request(app).post('/v1/decisions:evaluate').set('authorization', `Bearer ${await agencyToken('CITY_IT', 'CITY_IT')}`)
      .send({ ...scenario('S10'), requester: { agency: 'FBI', verified: true } });
    expect(dry.status).toBe(200);
    expect(dry.body.decision).toBe('REVIEW');
    await bus.settled();
    expect(desk.list().map((c) => c.caseId)).toEqual([s10]);
  });

  it('when the reviewer asks for more than was requested, then 400 PF_REVIEW_FIELDS_TOO_WIDE and the case stays open', async () => {
    const res = await request(app).post(`/v1/reviews/${s10}/resolution`).set(REVIEW_HEADER, '1').set('authorization', `Bearer ${await attorneyToken()}`)
      .send({ outcome: 'ALLOW', fields: ['full_name', 'phone'], note: 'Name and phone.' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.any(String), code: 'PF_REVIEW_FIELDS_TOO_WIDE', requestId: expect.any(String), details: ['fields.1'] });
    expect(desk.get(s10)?.status).toBe('OPEN');
  });

  it('when the reviewer allows two of the three fields, then the signed ReviewResolution on firewall.reviews.v1 has exactly those', async () => {
    const res = await request(app).post(`/v1/reviews/${s10}/resolution`).set(REVIEW_HEADER, '1').set('authorization', `Bearer ${await attorneyToken()}`)
      .send({ outcome: 'ALLOW', fields: ['residential_address', 'full_name'], note: 'Grand-jury subpoena verified with the clerk; no date of birth needed.' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'ALLOW', fields: ['full_name', 'residential_address'], published: true } });
    await bus.settled();
    const published = resolutions.filter((r) => r.requestId === s10);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ outcome: 'ALLOW', reviewerRole: 'CITY_ATTORNEY', reviewerKid: desk.kid });
    expect([...published[0]!.fields!].sort()).toEqual(['full_name', 'residential_address']);
    const jwks = (await request(app).get('/v1/reviews/jwks.json')).body;
    const signed = await verifyResolution(published[0]!, jwks);
    expect(signed).toMatchObject({ requestId: s10, outcome: 'ALLOW', fields: ['full_name', 'residential_address'], note: expect.stringContaining('verified with the clerk') });
  });

  it('then the resolution is audited: a REVIEW entry on firewall.audit.v1 and in the verifiable ledger, without the note text', async () => {
    await bus.settled();
    const entries = audit.filter((e) => e.type === 'REVIEW' && e.requestId === s10);
    expect(entries).toHaveLength(1);
    const entry = entries[0];
    expect(JSON.parse(entry!.summary)).toEqual({ decision: 'ALLOW', fields: ['full_name', 'residential_address'], reviewerRole: 'CITY_ATTORNEY' });
    expect(entry!.eventDigest).toBe(digestEvent(resolutions.find((r) => r.requestId === s10)));
    expect(entry!.summary).not.toContain('clerk');
    // The reviewer's refused attempt is in the audit trail's own trail, as that reviewer's.
    expect(audit.some((e) => e.type === 'ACCESS' && JSON.parse(e.summary).reason === 'PF_REVIEW_FIELDS_TOO_WIDE' && JSON.parse(e.summary).outcome === 'REFUSED')).toBe(true);
    expect(await verifyPath(ledgerDir)).toMatchObject({ ok: true });
  });

  it('when the case is resolved again, then 409 and nothing more is published', async () => {
    const res = await request(app).post(`/v1/reviews/${s10}/resolution`).set(REVIEW_HEADER, '1').set('authorization', `Bearer ${await attorneyToken()}`)
      .send({ outcome: 'DENY', fields: [], note: 'Changed my mind.' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('PF_REVIEW_ALREADY_RESOLVED');
    await bus.settled();
    expect(resolutions.filter((r) => r.requestId === s10)).toHaveLength(1);
  });

  it('when ICE sends an administrative subpoena (S04) and the reviewer denies it, then a DENY with no fields is published', async () => {
    const res = await ask('S04', 'ICE_ERO');
    expect(res.status).toBe(202);
    s04 = res.body.ticket.id;
    const deny = await request(app).post(`/v1/reviews/${s04}/resolution`).set(REVIEW_HEADER, '1').set('authorization', `Bearer ${await agencyToken(reviewerAgency, 'DATA_PRACTICES_REVIEWER')}`)
      .send({ outcome: 'DENY', fields: [], note: 'An administrative subpoena is not a court order.' });
    expect(deny.status).toBe(200);
    await bus.settled();
    expect(resolutions.find((r) => r.requestId === s04)).toMatchObject({ outcome: 'DENY', fields: [], reviewerRole: 'DATA_PRACTICES_REVIEWER' });
    expect(JSON.parse(audit.find((e) => e.type === 'REVIEW' && e.requestId === s04)!.summary)).toMatchObject({ decision: 'DENY', fields: [] });
  });

  it('when a requester agency presents its own token, even claiming the attorney role, then it cannot see or resolve cases', async () => {
    const list = await request(app).get('/v1/reviews').set('authorization', `Bearer ${await agencyToken('CITY_ATTORNEY_CRIMINAL', 'CITY_ATTORNEY')}`);
    expect(list.status).toBe(403);
    // The registry grants the criminal division no reviewer role: the claim alone is refused.
    expect(list.body).toMatchObject({ code: 'PF_AUTH_ROLE_NOT_GRANTED', requestId: expect.any(String) });
    expect(list.body).not.toHaveProperty('stack');
  });

  it('when the desk restarts on the same folder, then the cases and their resolutions are still there', async () => {
    await desk.close();
    desk = await startDesk();
    app = express();
    app.use(createReviewRouter({ desk, edge: firewall.edge, logger }));
    app.use(firewall.app);
    app.use(firewall.edge.errors);
    expect(desk.get(s10)).toMatchObject({ status: 'RESOLVED', resolution: { published: true, message: { outcome: 'ALLOW' } } });
    expect(desk.get(s04)?.status).toBe('RESOLVED');
    await bus.settled();
    expect(resolutions).toHaveLength(2);
  });
});
