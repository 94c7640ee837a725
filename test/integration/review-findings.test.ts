/**
 * A reviewer's verified findings, in the embedded wiring (startFirewall with every role on one in-process bus, its
 * own review desk and router): a federal criminal agency's self-declared warrant is only a type (no credential), so
 * R16 holds it; the case says the document is unverified; the reviewer previews what the paper shows, resolves ALLOW
 * within the policy's re-decision, and the releaser delivers exactly those fields once the REVIEW entry is durable.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, avroCodec, consume, createLogger, loadCatalog, topics, type AccessEvent, type AuditEntry, type Release, type ReviewResolution } from '@firewall/core';
import { loadAgencyRegistry } from '@firewall/http';
import { verifyPath } from '@firewall/ledger';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import { decryptPayload, fictionalRecords, type ReleasePayload } from '@firewall/releaser';
import { REVIEW_HEADER, reviewerAgency, verifyResolution } from '@firewall/review';
import { devEncryptionKey, ensureDevAgencies, mintDevToken } from '../../services/cli/src/dev-keys.js';
import { startFirewall, type RunningFirewall } from '../../services/cli/src/firewall.js';
import { devCredentialVerifier } from '../helpers/credentials.js';
import { waitFor } from '../helpers/kafka.js';

const logger = createLogger({ service: 'it-review-findings', level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent' });
const dataDir = mkdtempSync(join(tmpdir(), 'pf-review-findings-it-'));
const ledgerDir = join(dataDir, 'ledger');
const bus = new MemoryBus();
const releases = new Map<string, Release>();
const resolutions: ReviewResolution[] = [];
const audit: AuditEntry[] = [];
const accesses: AccessEvent[] = [];
let firewall: RunningFirewall;
let revision: string;

const s07 = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'conformance', 'S07.json'), 'utf8')).request;
/** What the magistrate's warrant says on paper: the facts the requester asserted, and the reviewer later checks. */
const paper = { court: s07.legalBasis.court, judgeSigned: true, expires: s07.legalBasis.expires, namedSubjects: 1, listedFields: s07.legalBasis.listedFields, criminalPredicate: s07.legalBasis.criminalPredicate };
const suspect = fictionalRecords('summons')[4]!;
const attorney = () => mintDevToken(dataDir, reviewerAgency, { role: 'CITY_ATTORNEY' });
const review = async (path: string, body: unknown) => request(firewall.app).post(path).set(REVIEW_HEADER, '1').set('authorization', `Bearer ${await attorney()}`).send(body as object);

beforeAll(async () => {
  const prepared = await prepareEmbeddedBundle(dataDir);
  const evaluator = await PolicyEvaluator.load(await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)));
  revision = evaluator.bundle.revision;
  const { registryPath } = await ensureDevAgencies(dataDir, [...Object.keys((evaluator.bundle.data as { agencies: object }).agencies), reviewerAgency]);
  const common = { bus, codec: avroCodec, logger, fromBeginning: true } as const;
  await consume({ ...common, topic: topics.releases, group: 'it-findings-releases', handle: async (r) => void releases.set(r.requestId, r) });
  await consume({ ...common, topic: topics.reviews, group: 'it-findings-reviews', handle: async (r) => void resolutions.push(r) });
  await consume({ ...common, topic: topics.audit, group: 'it-findings-audit', handle: async (e) => void audit.push(e) });
  await consume({ ...common, topic: topics.access, group: 'it-findings-access', handle: async (a) => void accesses.push(a) });
  // Every role, as `firewall start` runs them: the desk gets the decider's evaluator from startFirewall itself.
  firewall = await startFirewall({
    bus, codec: avroCodec, catalog: loadCatalog(), evaluator, registry: loadAgencyRegistry(registryPath), logger, dataDir, ledgerDir,
    ledgerKeyPath: join(dataDir, 'keys', 'ledger.key.pem'), decisionTimeoutMs: 30_000, credentials: await devCredentialVerifier(dataDir),
  });
}, 60_000);

afterAll(async () => {
  await firewall?.close();
  await bus.close();
});

describe('findings verified on the paper, embedded wiring', () => {
  let held: string;
  let denied: string;

  it('when HSI sends a warrant whose facts it only states (no credential), then R16 holds it (202): nothing it said is believed', async () => {
    const res = await request(firewall.app).post('/v1/requests').set('authorization', `Bearer ${await mintDevToken(dataDir, 'ICE_HSI')}`)
      .send({ ...s07, subjectIds: [String(suspect.citation_id)] });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ decision: 'REVIEW', ticket: { status: 'HELD_FOR_REVIEW' } });
    held = res.body.ticket.id;
    await bus.settled();
    expect(firewall.review!.get(held)?.decision.decisive).toEqual(['R16']);
  });

  it('then the case says the document is unverified, and shows none of the stated facts', async () => {
    const res = await request(firewall.app).get(`/v1/reviews/${held}`).set('authorization', `Bearer ${await attorney()}`);
    expect(res.status).toBe(200);
    expect(res.body.legalDocument).toEqual({
      status: 'UNVERIFIED', verifiedBy: null, text: 'Unverified: the requester stated the type only; check the paper document before relying on it.',
    });
    expect(res.body.request.legalBasis).toMatchObject({ type: 'JUDICIAL_WARRANT', court: null, judgeSigned: null, listedFields: null, verifiedBy: null });
    expect(JSON.stringify(res.body)).not.toContain(String(suspect.citation_id));
  });

  it('when the reviewer previews the paper\'s facts, then the policy re-decides ALLOW_REDACTED under R4 and nothing is resolved', async () => {
    const res = await review(`/v1/reviews/${held}/findings:preview`, { findings: paper });
    expect(res.status).toBe(200);
    expect(res.body.redecision).toMatchObject({
      decision: 'ALLOW_REDACTED', released: ['date_of_birth', 'full_name', 'offense', 'residential_address'],
      withheld: ['identification_method', 'interpreter_language'], allowable: ['full_name', 'date_of_birth', 'residential_address', 'offense'], policy: { revision },
    });
    expect(res.body.redecision.decisive).toContain('R4');
    expect(firewall.review!.get(held)?.status).toBe('OPEN');
    await bus.settled();
    expect(accesses.filter((a) => a.requestId === held && a.action === 'REVIEW_VIEW').map((a) => a.outcome)).toEqual(['GRANTED', 'GRANTED']);
  });

  it('when the reviewer allows more than the re-decision releases, then 400 PF_REVIEW_FIELDS_TOO_WIDE and the case stays open', async () => {
    const res = await review(`/v1/reviews/${held}/resolution`, { outcome: 'ALLOW', fields: ['full_name', 'identification_method'], note: 'n', findings: paper });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'PF_REVIEW_FIELDS_TOO_WIDE', details: ['fields.1'] });
    expect(firewall.review!.get(held)?.status).toBe('OPEN');
  });

  it('when the reviewer allows within the re-decision, then the release after the durable REVIEW entry carries exactly those fields', async () => {
    const res = await review(`/v1/reviews/${held}/resolution`, { outcome: 'ALLOW', fields: ['offense', 'full_name'], note: 'Warrant checked with the clerk of the district court.', findings: paper });
    expect(res.status).toBe(200);
    expect(res.body.resolution).toMatchObject({ outcome: 'ALLOW', fields: ['full_name', 'offense'], findings: { ...paper, verified: null }, redecision: { decision: 'ALLOW_REDACTED' } });
    const release = await waitFor(() => releases.get(held), { message: 'the reviewed release', timeoutMs: 30_000 });
    expect(release).toMatchObject({ outcome: 'RELEASED', authority: 'REVIEW', recordCount: 1, transformed: [] });
    expect([...release.fields!].sort()).toEqual(['full_name', 'offense']);
    const payload = await decryptPayload<ReleasePayload>(release.payload!, devEncryptionKey(dataDir));
    expect(payload.records).toEqual([{ full_name: suspect.full_name, offense: suspect.offense }]);

    const published = resolutions.find((r) => r.requestId === held)!;
    expect(await verifyResolution(published, (await request(firewall.app).get('/v1/reviews/jwks.json')).body)).toMatchObject({ findings: { ...paper, verified: null } });
    const mine = audit.filter((e) => e.requestId === held);
    const reviewEntry = mine.find((e) => e.type === 'REVIEW')!;
    expect(JSON.parse(reviewEntry.summary)).toEqual({
      reviewerRole: 'CITY_ATTORNEY', decision: 'ALLOW', fields: ['full_name', 'offense'],
      verifiedFacts: ['court', 'criminalPredicate', 'expires', 'judgeSigned', 'listedFields', 'namedSubjects'],
    });
    for (const value of ['D. Minn.', s07.legalBasis.expires, '1591', 'clerk']) expect(reviewEntry.summary).not.toContain(value);
    expect(reviewEntry.seq).toBeLessThan(mine.find((e) => e.type === 'RELEASE')!.seq);
    expect(await verifyPath(ledgerDir)).toMatchObject({ ok: true });
  });

  it('when the findings leave ICE ERO\'s administrative subpoena covering no one, then an ALLOW is 409 PF_REVIEW_FINDINGS_DENY and only a DENY goes out', async () => {
    const s04 = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'conformance', 'S04.json'), 'utf8')).request;
    const res = await request(firewall.app).post('/v1/requests').set('authorization', `Bearer ${await mintDevToken(dataDir, 'ICE_ERO')}`).send(s04);
    expect(res.status).toBe(202);
    denied = res.body.ticket.id;
    await bus.settled();
    const findings = { namedSubjects: 1 }; // three people asked about, one named on the paper
    const allow = await review(`/v1/reviews/${denied}/resolution`, { outcome: 'ALLOW', fields: ['full_name'], note: 'n', findings });
    expect(allow.status).toBe(409);
    expect(allow.body).toMatchObject({ code: 'PF_REVIEW_FINDINGS_DENY', requestId: expect.any(String) });
    const deny = await review(`/v1/reviews/${denied}/resolution`, { outcome: 'DENY', fields: [], note: 'The subpoena names one of the three.', findings });
    expect(deny.status).toBe(200);
    await bus.settled();
    expect(resolutions.filter((r) => r.requestId === denied).map((r) => [r.outcome, r.fields])).toEqual([['DENY', []]]);
    await waitFor(() => audit.find((e) => e.type === 'REVIEW' && e.requestId === denied), { message: 'the DENY review entry' });
    expect(releases.has(denied)).toBe(false);
  });
});
