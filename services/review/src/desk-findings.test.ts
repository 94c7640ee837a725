import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { avroCodec, topics, type RecordRequest } from '@firewall/core';
import { legalBasisForPolicy } from '@firewall/http';
import { canonicalJson, ledgerEventFor } from '@firewall/ledger';
import { decide } from '@firewall/policy';
import { caseView } from './case.js';
import { verifyResolution } from './resolution.js';
import { deskHarness, sampleDecision, sampleRequest, shippedPolicy, type DeskHarness } from './test-support.js';

const reviewer = { agency: 'CITY_ATTORNEY_DATA_PRACTICES', role: 'CITY_ATTORNEY' };
const { evaluator } = await shippedPolicy();

/** The facts of conformance S07's magistrate's warrant, as a reviewer reads them off the paper. */
const s07Findings = {
  court: 'U.S. District Court, D. Minn.', judgeSigned: true, expires: '2030-06-30', namedSubjects: 1,
  listedFields: ['full_name', 'date_of_birth', 'residential_address', 'offense'], criminalPredicate: '18 U.S.C. 1591',
};
const s07Fields = ['full_name', 'date_of_birth', 'residential_address', 'offense', 'interpreter_language', 'identification_method'];

/** A request as the gateway publishes it when no credential verifies: the requester's type alone, every fact absent. */
function selfDeclared(type: string, overrides: Partial<RecordRequest> = {}): Partial<RecordRequest> {
  return { legalBasis: legalBasisForPolicy({ type, court: 'claimed', judgeSigned: true }, null), attestations: [], ...overrides };
}

/** Opens a case the way the services do: the request, then the policy's own (REVIEW) decision on it. */
async function openHeld(h: DeskHarness, overrides: Partial<RecordRequest>): Promise<string> {
  const id = randomUUID();
  const request = sampleRequest(id, overrides);
  const decision = decide(evaluator, request);
  expect(decision.decision).toBe('REVIEW');
  await h.publishRequest(request);
  await h.publishDecision(decision);
  return id;
}

const hsiWarrant = selfDeclared('JUDICIAL_WARRANT', {
  requester: { agency: 'ICE_HSI', role: 'Special Agent', verified: true }, purpose: { code: 'CRIMINAL_INVESTIGATION', text: 'human trafficking' }, fields: s07Fields,
});

describe('the case says whether the legal document was verified', () => {
  it('when no credential verified it, then the case is UNVERIFIED in words a city attorney acts on, and shows no facts', async () => {
    const h = await deskHarness();
    const view = caseView(h.desk.get(await openHeld(h, hsiWarrant))!);
    expect(view.legalDocument).toEqual({
      status: 'UNVERIFIED', verifiedBy: null, text: 'Unverified: the requester stated the type only; check the paper document before relying on it.',
    });
    expect(view.request?.legalBasis).toMatchObject({ type: 'JUDICIAL_WARRANT', court: null, judgeSigned: null, verifiedBy: null });
  });

  it('when a registered issuer\'s credential supplied the facts, then the case is VERIFIED and names the issuer', async () => {
    const h = await deskHarness();
    const id = await h.openOne({ legalBasis: { ...sampleRequest('x').legalBasis!, verifiedBy: 'US_DISTRICT_COURT_MN' } });
    expect(caseView(h.desk.get(id)!).legalDocument).toMatchObject({ status: 'VERIFIED', verifiedBy: 'US_DISTRICT_COURT_MN', text: expect.stringContaining('US_DISTRICT_COURT_MN') });
  });

  it('when only the decision has arrived, then the document cannot be shown and findings cannot be applied yet (409)', async () => {
    const h = await deskHarness();
    const id = randomUUID();
    await h.publishDecision(sampleDecision(id));
    expect(caseView(h.desk.get(id)!).legalDocument.status).toBe('NOT_RECEIVED');
    expect(() => h.desk.previewFindings(id, { findings: s07Findings })).toThrow(expect.objectContaining({ code: 'PF_REVIEW_REQUEST_MISSING', status: 409 }));
  });
});

describe('findings re-decide the held request', () => {
  it('when the reviewer verifies an HSI judicial warrant (S07), then the re-decision is ALLOW_REDACTED under R4 and an ALLOW is capped to its releases', async () => {
    const h = await deskHarness();
    const id = await openHeld(h, hsiWarrant);
    const { redecision, findings } = h.desk.previewFindings(id, { findings: s07Findings });
    expect(findings).toEqual({ ...s07Findings, verified: null });
    expect(redecision).toMatchObject({
      decision: 'ALLOW_REDACTED', released: ['date_of_birth', 'full_name', 'offense', 'residential_address'],
      withheld: ['identification_method', 'interpreter_language'], policy: { revision: evaluator.bundle.revision }, failure: null,
      allowable: ['full_name', 'date_of_birth', 'residential_address', 'offense'],
    });
    expect(redecision.decisive).toContain('R4');
    expect(h.desk.get(id)?.status).toBe('OPEN');

    const tooWide = h.desk.resolveCase(id, { outcome: 'ALLOW', fields: ['full_name', 'interpreter_language'], note: 'n', findings: s07Findings }, reviewer);
    await expect(tooWide).rejects.toMatchObject({ code: 'PF_REVIEW_FIELDS_TOO_WIDE', status: 400, details: ['fields.1'] });
    const resolved = await h.desk.resolveCase(id, { outcome: 'ALLOW', fields: ['offense', 'full_name'], note: 'Warrant checked with the clerk of court.', findings: s07Findings }, reviewer);
    expect(resolved.resolution).toMatchObject({ message: { outcome: 'ALLOW', fields: ['full_name', 'offense'], findings: { ...s07Findings, verified: null } }, redecision: { decision: 'ALLOW_REDACTED' } });
    await h.bus.settled();
    expect(h.resolutions).toHaveLength(1);
    expect(h.resolutions[0]!.findings).toEqual({ ...s07Findings, verified: null });
  });

  it('without findings the same case is capped by the request only, as before (the reviewer decides)', async () => {
    const h = await deskHarness();
    const id = await openHeld(h, hsiWarrant);
    const resolved = await h.desk.resolveCase(id, { outcome: 'ALLOW', fields: ['interpreter_language'], note: 'n' }, reviewer);
    expect(resolved.resolution).toMatchObject({ message: { fields: ['interpreter_language'], findings: null }, redecision: null });
  });

  it('when the findings re-decide the request as DENY, then only a DENY is accepted (409 PF_REVIEW_FINDINGS_DENY)', async () => {
    const h = await deskHarness();
    // ICE ERO's administrative subpoena (S04) for three people: the paper names only one, so it covers no one (R10, R2).
    const id = await openHeld(h, selfDeclared('ADMIN_SUBPOENA', {
      requester: { agency: 'ICE_ERO', role: null, verified: true }, purpose: { code: 'CIVIL_IMMIGRATION_ENFORCEMENT', text: null },
      fields: ['full_name', 'residential_address'], subjects: { count: 3, selection: 'NAMED' },
    }));
    const findings = { namedSubjects: 1 };
    expect(h.desk.previewFindings(id, { findings }).redecision).toMatchObject({ decision: 'DENY', released: [], allowable: [] });
    await expect(h.desk.resolveCase(id, { outcome: 'ALLOW', fields: ['full_name'], note: 'n', findings }, reviewer))
      .rejects.toMatchObject({ code: 'PF_REVIEW_FINDINGS_DENY', status: 409 });
    expect(h.desk.get(id)?.status).toBe('OPEN');
    const denied = await h.desk.resolveCase(id, { outcome: 'DENY', fields: [], note: 'Names one of three.', findings }, reviewer);
    expect(denied.resolution).toMatchObject({ message: { outcome: 'DENY', fields: [] }, redecision: { decision: 'DENY' } });
  });

  it('when the findings send the request to a human again (R2/R4: an enforcement requester\'s judicial order), then the reviewer\'s own choice stands', async () => {
    const h = await deskHarness();
    // Unverified, ERO's order would be no legal process at all (R2: DENY, no case); this one came with a credential.
    const findings = { ...s07Findings, listedFields: ['full_name', 'offense'] };
    const ero = (fields: string[]): Partial<RecordRequest> => ({
      requester: { agency: 'ICE_ERO', role: null, verified: true }, purpose: { code: 'CRIMINAL_INVESTIGATION', text: null }, fields, attestations: [],
      legalBasis: { type: 'COURT_ORDER', ...findings, verified: null, verifiedBy: 'US_DISTRICT_COURT_MN' },
    });
    const id = await openHeld(h, ero(['full_name', 'offense', 'phone']));
    expect(h.desk.previewFindings(id, { findings }).redecision).toMatchObject({ decision: 'REVIEW', allowable: null });
    const resolved = await h.desk.resolveCase(id, { outcome: 'ALLOW', fields: ['phone'], note: 'The order covers it on page 2.', findings }, reviewer);
    expect(resolved.resolution).toMatchObject({ message: { outcome: 'ALLOW', fields: ['phone'] }, redecision: { decision: 'REVIEW' } });
    // Still never wider than the request.
    const other = await openHeld(h, ero(['full_name']));
    await expect(h.desk.resolveCase(other, { outcome: 'ALLOW', fields: ['phone'], note: 'n', findings }, reviewer)).rejects.toMatchObject({ code: 'PF_REVIEW_FIELDS_TOO_WIDE' });
  });

  it('refuses bad findings with their paths, never their values, and leaves the case open', async () => {
    const h = await deskHarness();
    const id = await openHeld(h, hsiWarrant);
    const cases: [unknown, string[]][] = [
      ['SECRET-COURT', ['findings']],
      [{ court: 'D. Minn.', judge: 'Hon. SECRET' }, ['findings.judge']],
      [{ court: 12345, judgeSigned: 'yes', verified: 1, namedSubjects: -1, criminalPredicate: '' }, ['findings.court', 'findings.criminalPredicate', 'findings.judgeSigned', 'findings.verified', 'findings.namedSubjects']],
      [{ expires: '2030-02-30' }, ['findings.expires']],
      [{ expires: 'SECRET-DATE' }, ['findings.expires']],
      [{ listedFields: ['full_name', 'SECRET_FIELD', 'full_name', 7] }, ['findings.listedFields.1', 'findings.listedFields.2', 'findings.listedFields.3']],
      [{ listedFields: 'full_name' }, ['findings.listedFields']],
      [{ namedSubjects: 1.5 }, ['findings.namedSubjects']],
    ];
    for (const [findings, details] of cases) {
      for (const attempt of [
        async (): Promise<unknown> => h.desk.previewFindings(id, { findings }),
        () => h.desk.resolveCase(id, { outcome: 'DENY', fields: [], note: 'n', findings }, reviewer),
      ]) {
        const err = await Promise.resolve().then(attempt).then(() => null, (e: unknown) => e as { code: string; details: string[]; message: string });
        expect(err).toMatchObject({ code: 'PF_REVIEW_INVALID', status: 400 });
        expect([...err!.details].sort()).toEqual([...details].sort());
        expect(JSON.stringify({ m: err!.message, d: err!.details })).not.toMatch(/SECRET|12345|Hon\./);
      }
    }
    for (const body of [{}, { findings: null }, { findings: s07Findings, outcome: 'ALLOW' }, []]) {
      expect(() => h.desk.previewFindings(id, body)).toThrow(expect.objectContaining({ code: 'PF_REVIEW_INVALID' }));
    }
    expect(h.desk.get(id)?.status).toBe('OPEN');
  });
});

describe('findings are signed and audited by name', () => {
  it('the signed payload includes the findings; verifyResolution verifies it and a changed finding breaks it', async () => {
    const h = await deskHarness();
    const id = await openHeld(h, hsiWarrant);
    await h.desk.resolveCase(id, { outcome: 'ALLOW', fields: ['full_name'], note: 'Checked.', findings: s07Findings }, reviewer);
    await h.bus.settled();
    const message = h.resolutions[0]!;
    const payload = await verifyResolution(message, h.desk.jwks());
    expect(payload).toEqual({
      requestId: id, resolvedAt: message.resolvedAt, reviewerRole: 'CITY_ATTORNEY', reviewerKid: h.signer.kid, outcome: 'ALLOW', fields: ['full_name'],
      findings: { ...s07Findings, verified: null }, note: 'Checked.',
    });
    // The message is what the Avro codec carries: it survives a round trip and still verifies.
    const decoded = await avroCodec.decode(topics.reviews, await avroCodec.encode(topics.reviews, message));
    await expect(verifyResolution(decoded, h.desk.jwks())).resolves.toMatchObject({ findings: { judgeSigned: true } });
    for (const tampered of [{ ...message, findings: { ...message.findings!, expires: '2040-01-01' } }, { ...message, findings: null }]) {
      await expect(verifyResolution(tampered, h.desk.jwks())).rejects.toMatchObject({ code: 'PF_REVIEW_BAD_SIGNATURE' });
    }
  });

  it('the REVIEW ledger entry lists which facts were verified, and none of their values', async () => {
    const h = await deskHarness();
    const id = await openHeld(h, hsiWarrant);
    await h.desk.resolveCase(id, { outcome: 'ALLOW', fields: ['full_name', 'offense'], note: 'Checked.', findings: s07Findings }, reviewer);
    await h.bus.settled();
    const event = ledgerEventFor(topics.reviews, h.resolutions[0]!)!;
    expect(event.summary).toEqual({
      reviewerRole: 'CITY_ATTORNEY', decision: 'ALLOW', fields: ['full_name', 'offense'],
      verifiedFacts: ['court', 'criminalPredicate', 'expires', 'judgeSigned', 'listedFields', 'namedSubjects'],
    });
    const entry = canonicalJson(event.summary);
    for (const value of ['D. Minn.', '2030-06-30', '1591', 'date_of_birth']) expect(entry).not.toContain(value);
  });
});
