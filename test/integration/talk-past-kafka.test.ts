/**
 * Nobody talks past the firewall, on the real broker: a Kafka-mode firewall (ledger on firewall.audit.v1,
 * decider, releaser and two gateways, each its own startFirewall on its own KafkaBus in a namespace of this run),
 * the two gateways sharing one PostgreSQL replay table through a guard each, as two processes would. Over HTTP:
 * legal process a requester only declares releases nothing; a registered issuer's credential for the subject
 * releases exactly that resident's fields; a credential for someone else, for another agency, expired, altered
 * or signed by an unregistered key is refused with its code and chained as REJECTED_INPUT with the agency; a
 * token is spent once across both gateways; roles come only from the registry; /metrics is for operators.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaBus, avroCodec, consume, createLogger, loadCatalog, topics, type AuditEntry, type Subscription } from '@firewall/core';
import { PostgresReplayGuard, credentialAudience, credentialMediaType, loadAgencyRegistry, subjectDigest } from '@firewall/http';
import { KeySet, jwksOf } from '@firewall/ledger';
import { decryptPayload, fictionalRecords, verifyAuditEntry, type ReleasePayload } from '@firewall/releaser';
import { mintCredential } from '../../services/cli/src/dev-credentials.js';
import { cityItAgency, devEncryptionKey, mintDevToken } from '../../services/cli/src/dev-keys.js';
import { startFirewall, type Role, type RunningFirewall } from '../../services/cli/src/firewall.js';
import { devCredentialVerifier } from '../helpers/credentials.js';
import { prepareOperatorFiles } from '../helpers/firewall.js';
import { testBrokers, waitFor } from '../helpers/kafka.js';
import { acquirePostgres, type TestPostgres } from '../setup/postgres.js';

const logger = createLogger({ service: 'it', level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent' });
const dataDir = mkdtempSync(join(tmpdir(), 'pf-talk-past-'));
const namespace = `it-talk-${randomUUID().slice(0, 8)}`;
const [card, otherCard] = fictionalRecords('municipal_id') as [Record<string, unknown>, Record<string, unknown>];
const cardNumber = String(card.card_number);
const citation = String(fictionalRecords('summons')[0]!.citation_id);
const buses: KafkaBus[] = [];
const parts: RunningFirewall[] = [];
const guards: PostgresReplayGuard[] = [];
const subscriptions: Subscription[] = [];
const entries: AuditEntry[] = [];
const fatal: unknown[] = [];
let postgres: TestPostgres;
let gatewayA: RunningFirewall;
let gatewayB: RunningFirewall;

async function bus(role: string): Promise<KafkaBus> {
  const b = await KafkaBus.connect({ brokers: testBrokers(), clientId: `it-talk-${role}`, logger, partitions: 3, namespace });
  buses.push(b);
  return b;
}

beforeAll(async () => {
  postgres = await acquirePostgres();
  const replayUrl = (await postgres.createDatabase()).url;
  const operator = await prepareOperatorFiles(dataDir);
  // The ledger runs elsewhere in Kafka mode: the releaser trusts the ledger key the operator publishes.
  const ledgerJwksPath = join(dataDir, 'ledger-jwks.json');
  writeFileSync(ledgerJwksPath, JSON.stringify(jwksOf([operator.signer.publicJwk])));
  const common = {
    codec: avroCodec, catalog: loadCatalog(), evaluator: operator.evaluator, registry: loadAgencyRegistry(operator.registryPath), logger,
    dataDir, ledgerDir: join(dataDir, 'ledger'), ledgerKeyPath: operator.ledgerKeyPath, decisionTimeoutMs: 20_000,
    credentials: await devCredentialVerifier(dataDir), release: { ledgerJwksPath },
  };
  // Two gateways, two guards on one database: the table, not either process, knows which tokens are spent.
  guards.push(...await Promise.all([0, 1].map(() => PostgresReplayGuard.open({ connectionString: replayUrl, logger }))));
  const part = async (role: Role, extra: Record<string, unknown> = {}) => startFirewall({ ...common, ...extra, bus: await bus(role), roles: [role] });
  parts.push(...await Promise.all([
    part('ledger', { kafkaLedger: { brokers: testBrokers(), namespace, onFatal: (err: unknown) => fatal.push(err) } }),
    part('decider'),
    part('releaser'),
    part('gateway', { replayGuard: guards[0] }),
    part('gateway', { replayGuard: guards[1] }),
  ]));
  [gatewayA, gatewayB] = [parts[3]!, parts[4]!];
  expect(parts[0]!.kafkaLedger?.role).toBe('active');
  const ledgerKeys = await KeySet.fromFile(ledgerJwksPath);
  subscriptions.push(await consume({
    bus: await bus('observer'), codec: avroCodec, logger, topic: topics.audit, group: 'it-audit', fromBeginning: true,
    handle: async (e) => void ((await verifyAuditEntry(e, ledgerKeys)) && entries.push(e)),
  }));
  await Promise.all(subscriptions.map((s) => s.ready));
}, 120_000);

afterAll(async () => {
  for (const s of subscriptions) await s.close();
  for (const p of parts.reverse()) await p.close();
  for (const g of guards) await g.close();
  for (const b of buses) await b.close();
  await postgres?.release();
  expect(fatal).toEqual([]);
}, 60_000);

const token = (agency: string, role?: string) => mintDevToken(dataDir, agency, role ? { role } : {});
async function ask(app: RunningFirewall, agency: string, body: Record<string, unknown>) {
  return request(app.app).post('/v1/requests').set('authorization', `Bearer ${await token(agency)}`).send(body);
}
const subjectAccess = (legalBasis: Record<string, unknown>, subjectIds = [cardNumber]) => ({
  purpose: { code: 'SUBJECT_ACCESS' }, legalBasis, system: 'municipal_id', fields: ['full_name', 'residential_address'], subjectIds,
});
const authorization = (agency: string, subject = cardNumber, ttlSeconds?: number) => mintCredential(dataDir, {
  issuer: 'MUNICIPAL_ID_OFFICE', type: 'SUBJECT_AUTHORIZATION', agency, subjects: [subject], ...(ttlSeconds ? { ttlSeconds } : {}),
});
const summaryOf = (e: AuditEntry) => JSON.parse(e.summary) as Record<string, unknown>;

/** The chained REJECTED_INPUT entries for this reason and agency, once there are at least `n`. */
const rejectedInput = (reason: string, agency: string, n: number) => waitFor(() => {
  const found = entries.filter((e) => e.type === 'REJECTED_INPUT' && summaryOf(e).reason === reason && summaryOf(e).agency === agency);
  return found.length >= n && found;
}, { message: `${n} REJECTED_INPUT ${reason} of ${agency}`, timeoutMs: 20_000 });

describe('legal process a requester only declares', () => {
  it.each(['USCIS', 'PUBLIC', 'JOURNALIST', 'PRIVATE_COMPANY'])('%s: a self-declared verified SUBJECT_AUTHORIZATION releases nothing; the credential does', async (agency) => {
    const declared = await ask(gatewayA, agency, subjectAccess({ type: 'SUBJECT_AUTHORIZATION', verified: true }));
    expect(declared.status).not.toBe(200);
    expect(['DENY', 'REVIEW']).toContain(declared.body.decision);
    expect(declared.body).not.toHaveProperty('records');
    // The same request with the resident's authorization, certified by the office that witnessed it, is granted.
    const certified = await ask(gatewayB, agency, subjectAccess({ type: 'SUBJECT_AUTHORIZATION', credential: await authorization(agency) }));
    expect(certified.status).toBe(200);
    expect(certified.body.decision).toBe('ALLOW');
  });

  it.each(['PRIVATE_COMPANY', 'MN_POLICE_OTHER'])('%s: a self-declared judge-signed warrant releases nothing', async (agency) => {
    const warrant = { court: 'Hennepin County District Court', judgeSigned: true, listedFields: ['full_name', 'offense'] };
    const body = { purpose: { code: 'CRIMINAL_INVESTIGATION' }, system: 'summons', fields: ['full_name', 'offense'], subjectIds: [citation] };
    const res = await ask(gatewayA, agency, { ...body, legalBasis: { type: 'JUDICIAL_WARRANT', ...warrant, namedSubjects: 1 } });
    expect(res.status).not.toBe(200);
    expect(['DENY', 'REVIEW']).toContain(res.body.decision);
    expect(res.body).not.toHaveProperty('records');
    if (agency !== 'MN_POLICE_OTHER') return;
    // The police department holding the court's own credential for that warrant is granted the listed fields.
    const credential = await mintCredential(dataDir, { issuer: 'HENNEPIN_DISTRICT_COURT', type: 'JUDICIAL_WARRANT', agency, subjects: [citation], ...warrant });
    const granted = await ask(gatewayB, agency, { ...body, legalBasis: { type: 'JUDICIAL_WARRANT', credential } });
    expect(granted.status).toBe(200);
    expect(granted.body.records.fields.sort()).toEqual(['full_name', 'offense']);
  });
});

describe('a legal-process credential', () => {
  it('from the municipal ID office for the resident: 200, and the records decrypt to exactly that resident\'s fields', async () => {
    const res = await ask(gatewayA, 'USCIS', subjectAccess({ type: 'SUBJECT_AUTHORIZATION', credential: await authorization('USCIS') }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: 'ALLOW', records: { count: 1, fields: ['full_name', 'residential_address'], transformed: [] } });
    const payload = await decryptPayload<ReleasePayload>(res.body.records.jwe, devEncryptionKey(dataDir));
    expect(payload.records).toEqual([{ full_name: card.full_name, residential_address: card.residential_address }]);
  });

  it('for another subject, for another agency, expired, altered, or signed by an unregistered key: its code, and a REJECTED_INPUT with the agency', async () => {
    const good = await authorization('USCIS');
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    // One character of the payload changed, inside the subject's digest: the signature no longer holds.
    const at = Math.floor((Buffer.from(payload, 'base64url').toString().indexOf(subjectDigest(cardNumber)) + 20) / 3) * 4 + 1;
    const altered = `${header}.${payload.slice(0, at)}${payload[at] === 'A' ? 'B' : 'A'}${payload.slice(at + 1)}.${signature}`;
    const reclaimed = Buffer.from(JSON.stringify({ ...claims, subjects: [subjectDigest(String(otherCard.card_number))] })).toString('base64url');
    const registeredKid = (JSON.parse(readFileSync(join(dataDir, 'issuers.json'), 'utf8')) as { issuers: Record<string, { jwks: { keys: { kid: string }[] } }> })
      .issuers.MUNICIPAL_ID_OFFICE!.jwks.keys[0]!.kid;
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const ownKid = await calculateJwkThumbprint(await exportJWK(publicKey));
    const forge = (kid: string) => new SignJWT({ agency: 'USCIS', type: 'SUBJECT_AUTHORIZATION', subjects: [subjectDigest(cardNumber)] })
      .setProtectedHeader({ alg: 'EdDSA', typ: credentialMediaType, kid }).setIssuer('MUNICIPAL_ID_OFFICE').setAudience(credentialAudience)
      .setIssuedAt().setExpirationTime('1h').setJti(randomUUID()).sign(privateKey);
    const expiring = await authorization('USCIS', cardNumber, 1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));

    const cases: { agency: string; credential: string; subjectIds?: string[]; status: number; code: string }[] = [
      { agency: 'USCIS', credential: good, subjectIds: [String(otherCard.card_number)], status: 403, code: 'PF_CREDENTIAL_WRONG_SUBJECT' },
      { agency: 'USCIS', credential: good, subjectIds: [cardNumber, String(otherCard.card_number)], status: 403, code: 'PF_CREDENTIAL_WRONG_SUBJECT' },
      { agency: 'PUBLIC', credential: good, status: 403, code: 'PF_CREDENTIAL_WRONG_AGENCY' },
      { agency: 'USCIS', credential: expiring, status: 403, code: 'PF_CREDENTIAL_EXPIRED' },
      { agency: 'USCIS', credential: altered, status: 400, code: 'PF_CREDENTIAL_INVALID' },
      // The claims rewritten for another resident, the issuer's signature kept.
      { agency: 'USCIS', credential: `${header}.${reclaimed}.${signature}`, subjectIds: [String(otherCard.card_number)], status: 400, code: 'PF_CREDENTIAL_INVALID' },
      { agency: 'USCIS', credential: await forge(registeredKid), status: 400, code: 'PF_CREDENTIAL_INVALID' },
      { agency: 'USCIS', credential: await forge(ownKid), status: 403, code: 'PF_CREDENTIAL_UNKNOWN_ISSUER' },
    ];
    const expected = new Map<string, number>();
    for (const [i, c] of cases.entries()) {
      const res = await ask(i % 2 ? gatewayB : gatewayA, c.agency, subjectAccess({ type: 'SUBJECT_AUTHORIZATION', credential: c.credential }, c.subjectIds));
      expect({ case: i, status: res.status, code: res.body.code }).toEqual({ case: i, status: c.status, code: c.code });
      expect(res.body).not.toHaveProperty('records');
      expect(res.body).not.toHaveProperty('decision');
      expected.set(`${c.code} ${c.agency}`, (expected.get(`${c.code} ${c.agency}`) ?? 0) + 1);
    }
    for (const [key, n] of expected) {
      const [code, agency] = key.split(' ') as [string, string];
      expect(await rejectedInput(code, agency, n)).toHaveLength(n);
    }
  });
});

describe('tokens and roles', () => {
  const enforcement = { purpose: { code: 'CODE_ENFORCEMENT' }, system: 'service_requests', fields: ['service_type', 'status'], subjectIds: ['SR-2026-000001'] };
  const post = (app: RunningFirewall, bearer: string) => request(app.app).post('/v1/requests').set('authorization', `Bearer ${bearer}`).send(enforcement);

  it('a token spent on one gateway is PF_AUTH_REPLAYED on the other, both ways', async () => {
    for (const [first, second] of [[gatewayA, gatewayB], [gatewayB, gatewayA]] as const) {
      const bearer = await token('CITY_REGULATORY_SERVICES');
      expect((await post(first, bearer)).status).toBe(200);
      const again = await post(second, bearer);
      expect({ status: again.status, code: again.body.code }).toEqual({ status: 401, code: 'PF_AUTH_REPLAYED' });
    }
  });

  it('20 concurrent uses of one token over both gateways: exactly one is answered, 19 are PF_AUTH_REPLAYED', async () => {
    const bearer = await token('CITY_REGULATORY_SERVICES');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(i % 2 ? gatewayB : gatewayA, bearer)));
    expect(answers.filter((r) => r.status !== 401).map((r) => r.status)).toEqual([200]);
    expect(answers.filter((r) => r.status === 401).every((r) => r.body.code === 'PF_AUTH_REPLAYED')).toBe(true);
  });

  it('a role the registry does not grant is 403 PF_AUTH_ROLE_NOT_GRANTED; city IT\'s dry run is audited as CITY_IT, never as the hypothetical requester', async () => {
    const hypothetical = {
      requester: { agency: 'ICE_ERO', verified: true }, purpose: { code: 'LOCATE_FOR_REMOVAL' }, system: 'municipal_id', fields: ['residential_address'], subjectIds: [cardNumber],
    };
    const clerk = await request(gatewayA.app).post('/v1/decisions:evaluate').set('authorization', `Bearer ${await token('CITY_CLERK', 'CITY_IT')}`).send(hypothetical);
    expect({ status: clerk.status, code: clerk.body.code }).toEqual({ status: 403, code: 'PF_AUTH_ROLE_NOT_GRANTED' });

    const dry = await request(gatewayB.app).post('/v1/decisions:evaluate').set('authorization', `Bearer ${await token(cityItAgency, 'CITY_IT')}`).send(hypothetical);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, decision: 'DENY' });
    expect(dry.body).not.toHaveProperty('records');
    const dryRuns = await waitFor(() => {
      const found = entries.filter((e) => e.requestId === dry.body.requestId);
      return found.length >= 2 && found;
    }, { message: 'the dry run\'s entries', timeoutMs: 20_000 });
    expect(dryRuns.map((e) => e.type)).toEqual(['DRY_RUN', 'DRY_RUN']);
    for (const e of dryRuns) {
      expect(summaryOf(e).agency).toBe(cityItAgency);
      expect(e.summary).not.toContain('ICE_ERO');
    }
  });

  it('/metrics: 401 without a token, 200 for city IT as OPERATOR', async () => {
    const anonymous = await request(gatewayA.app).get('/metrics');
    expect({ status: anonymous.status, code: anonymous.body.code }).toEqual({ status: 401, code: 'PF_AUTH_MISSING' });
    const operator = await request(gatewayB.app).get('/metrics').set('authorization', `Bearer ${await token(cityItAgency, 'OPERATOR')}`);
    expect(operator.status).toBe(200);
    expect(operator.text).toContain('# TYPE');
  });
});
