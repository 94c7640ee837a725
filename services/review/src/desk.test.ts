import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topics } from '@firewall/core';
import { verifyResolution } from './resolution.js';
import { MemoryCaseStore } from './store.js';
import { deskHarness, sampleDecision, sampleRequest } from './test-support.js';

const reviewer = { agency: 'CITY_ATTORNEY_DATA_PRACTICES', role: 'CITY_ATTORNEY' };

describe('opening cases', () => {
  it('when a REVIEW decision arrives, then a case opens with the request, cited rules, legal document and open question texts', async () => {
    const h = await deskHarness();
    const id = await h.openOne();
    const opened = h.desk.get(id)!;
    expect(opened).toMatchObject({
      caseId: id, status: 'OPEN', resolution: null,
      request: {
        agency: 'FBI', role: 'Special Agent', purpose: { code: 'CRIMINAL_INVESTIGATION', text: 'bank robbery' }, system: 'summons',
        fields: ['full_name', 'residential_address', 'date_of_birth'], subjects: { count: 1, selection: 'NAMED' }, attestations: ['NO_ONWARD_SHARING'],
        legalBasis: {
          type: 'GRAND_JURY_SUBPOENA', court: 'D. Minn.', judgeSigned: false, expires: '2027-01-31', namedSubjects: 1,
          listedFields: ['full_name', 'residential_address'], criminalPredicate: '18 U.S.C. 2113',
        },
      },
      decision: {
        rules: [{ id: 'R6', title: 'Judicial and grand-jury subpoenas are verified', sources: ['Minneapolis Code §19.30'] }],
        reasons: [{ rule: 'R6', text: 'A reviewer verifies the subpoena.' }],
        alerts: [{ code: 'FEDERAL_REQUEST', rule: 'R25', fields: [] }],
        openQuestions: [{ id: 'GRAND_JURY_SUBPOENA_JUDICIAL', text: 'Does a grand-jury subpoena count as judicial process?' }],
      },
    });
    expect(Date.parse(opened.openedAt)).not.toBeNaN();
  });

  it('never keeps subject identifiers', async () => {
    const h = await deskHarness();
    const id = await h.openOne();
    expect(JSON.stringify(h.desk.get(id))).not.toContain('CIT-2026-000123');
    expect(JSON.stringify(h.desk.get(id))).not.toContain('subjectIds');
  });

  it.each(['ALLOW', 'ALLOW_REDACTED', 'DENY'] as const)('when the decision is %s, then no case opens', async (outcome) => {
    const h = await deskHarness();
    const id = randomUUID();
    await h.publishRequest(sampleRequest(id));
    await h.publishDecision(sampleDecision(id, outcome));
    expect(h.desk.get(id)).toBeUndefined();
    expect(h.desk.list()).toHaveLength(0);
  });

  it('when a REVIEW decision is a dry run, then no case opens', async () => {
    const h = await deskHarness();
    const id = randomUUID();
    await h.publishRequest(sampleRequest(id, { dryRun: true }));
    const decision = sampleDecision(id);
    await h.publishDecision({ ...decision, context: { ...decision.context, dryRun: true } });
    expect(h.desk.get(id)).toBeUndefined();
  });

  it('when the decision arrives before its request, then the case opens and the request fills it in later', async () => {
    const h = await deskHarness();
    const id = randomUUID();
    await h.publishDecision(sampleDecision(id));
    expect(h.desk.get(id)).toMatchObject({ status: 'OPEN', request: null });
    await h.publishRequest(sampleRequest(id));
    expect(h.desk.get(id)?.request?.agency).toBe('FBI');
  });

  it('when a decision or request is redelivered, then the case is neither duplicated nor reopened', async () => {
    const h = await deskHarness();
    const id = await h.openOne();
    await h.desk.resolveCase(id, { outcome: 'DENY', fields: [], note: 'Not judicial process.' }, reviewer);
    await h.publishRequest(sampleRequest(id));
    await h.publishDecision(sampleDecision(id));
    expect(h.desk.list()).toHaveLength(1);
    expect(h.desk.get(id)?.status).toBe('RESOLVED');
  });
});

describe('resolving cases', () => {
  it('when a reviewer allows some requested fields, then a signed ReviewResolution with exactly those fields is published', async () => {
    const h = await deskHarness();
    const id = await h.openOne();
    const resolved = await h.desk.resolveCase(id, { outcome: 'ALLOW', fields: ['residential_address', 'full_name'], note: 'Subpoena checked with the clerk.' }, reviewer);
    expect(resolved.status).toBe('RESOLVED');
    await h.bus.settled();
    expect(h.resolutions).toHaveLength(1);
    const [message] = h.resolutions;
    expect(message).toMatchObject({ requestId: id, reviewerRole: 'CITY_ATTORNEY', reviewerKid: h.signer.kid, outcome: 'ALLOW', fields: ['full_name', 'residential_address'] });
    expect(resolved.resolution).toMatchObject({ published: true, noteText: 'Subpoena checked with the clerk.', message });
  });

  it('the note verifies with the desk public key and states the whole resolution; a changed field breaks it', async () => {
    const h = await deskHarness();
    const id = await h.openOne();
    await h.desk.resolveCase(id, { outcome: 'ALLOW', fields: ['full_name'], note: 'Only the name.' }, reviewer);
    await h.bus.settled();
    const message = h.resolutions[0]!;
    const payload = await verifyResolution(message, h.desk.jwks());
    expect(payload).toEqual({
      requestId: id, resolvedAt: message.resolvedAt, reviewerRole: 'CITY_ATTORNEY', reviewerKid: h.signer.kid, outcome: 'ALLOW', fields: ['full_name'], note: 'Only the name.',
    });
    await expect(verifyResolution({ ...message, fields: ['full_name', 'date_of_birth'] }, h.desk.jwks())).rejects.toMatchObject({ code: 'PF_REVIEW_BAD_SIGNATURE' });
    await expect(verifyResolution({ ...message, outcome: 'DENY' }, h.signer.publicJwk)).rejects.toMatchObject({ code: 'PF_REVIEW_BAD_SIGNATURE' });
    const other = await deskHarness();
    await expect(verifyResolution(message, other.desk.jwks())).rejects.toMatchObject({ code: 'PF_REVIEW_BAD_SIGNATURE' });
  });

  it('never allows a field that was not requested, whatever the list (property)', async () => {
    const h = await deskHarness();
    const requested = ['full_name', 'residential_address', 'date_of_birth'];
    const names = fc.constantFrom(...requested, 'phone', 'employer', 'immigration_status', 'FULL_NAME', '');
    await fc.assert(fc.asyncProperty(fc.uniqueArray(names, { maxLength: 6 }), async (fields) => {
      const id = await h.openOne();
      const attempt = h.desk.resolveCase(id, { outcome: 'ALLOW', fields, note: 'n' }, reviewer);
      if (fields.length > 0 && fields.every((f) => requested.includes(f))) {
        expect((await attempt).resolution?.message.fields).toEqual(requested.filter((f) => fields.includes(f)));
      } else {
        await expect(attempt).rejects.toMatchObject({ code: fields.length === 0 ? 'PF_REVIEW_NO_FIELDS' : 'PF_REVIEW_FIELDS_TOO_WIDE', status: 400 });
        expect(h.desk.get(id)?.status).toBe('OPEN');
      }
    }), { numRuns: 60 });
    await h.bus.settled();
    for (const r of h.resolutions) expect(r.fields?.every((f) => requested.includes(f))).toBe(true);
  });

  it('refuses a DENY with fields, a missing note, an unknown outcome and unknown keys', async () => {
    const h = await deskHarness();
    const id = await h.openOne();
    for (const input of [
      { outcome: 'DENY', fields: ['full_name'], note: 'n' },
      { outcome: 'ALLOW', fields: ['full_name'] },
      { outcome: 'ALLOW', fields: ['full_name'], note: '   ' },
      { outcome: 'MAYBE', fields: [], note: 'n' },
      { outcome: 'ALLOW', fields: ['full_name'], note: 'n', reviewerRole: 'MAYOR' },
      { outcome: 'ALLOW', fields: ['full_name', 'full_name'], note: 'n' },
      'ALLOW',
    ]) {
      await expect(h.desk.resolveCase(id, input, reviewer)).rejects.toMatchObject({ code: 'PF_REVIEW_INVALID', status: 400 });
    }
    expect(h.desk.get(id)?.status).toBe('OPEN');
  });

  it('refuses a second resolution of a resolved case (409), even when both arrive at once', async () => {
    const h = await deskHarness();
    const id = await h.openOne();
    const results = await Promise.allSettled([
      h.desk.resolveCase(id, { outcome: 'ALLOW', fields: ['full_name'], note: 'first' }, reviewer),
      h.desk.resolveCase(id, { outcome: 'DENY', fields: [], note: 'second' }, reviewer),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'PF_REVIEW_ALREADY_RESOLVED' } });
    await expect(h.desk.resolveCase(id, { outcome: 'DENY', fields: [], note: 'third' }, reviewer)).rejects.toMatchObject({ status: 409 });
    await h.bus.settled();
    expect(h.resolutions).toHaveLength(1);
    expect(h.desk.get(id)?.resolution?.message.outcome).toBe('ALLOW');
  });

  it('answers 404 for an unknown case', async () => {
    const h = await deskHarness();
    await expect(h.desk.resolveCase('nope', { outcome: 'DENY', fields: [], note: 'n' }, reviewer)).rejects.toMatchObject({ code: 'PF_REVIEW_NOT_FOUND', status: 404 });
  });

  it('when publishing fails, then the resolution stays recorded and is published when the desk starts again', async () => {
    const h = await deskHarness();
    const id = await h.openOne();
    const publish = h.bus.publish.bind(h.bus);
    h.bus.publish = async (topic, key, value) => {
      if (topic === topics.reviews) throw new Error('broker down');
      return publish(topic, key, value);
    };
    await expect(h.desk.resolveCase(id, { outcome: 'DENY', fields: [], note: 'n' }, reviewer)).rejects.toMatchObject({ code: 'PF_REVIEW_PUBLISH_FAILED' });
    expect(h.desk.get(id)).toMatchObject({ status: 'RESOLVED', resolution: { published: false } });
    h.bus.publish = publish;
    await h.desk.close();
    const again = await deskHarness({ store: h.store as MemoryCaseStore, signer: h.signer });
    await again.bus.settled();
    expect(again.resolutions).toHaveLength(1);
    expect(again.resolutions[0]).toMatchObject({ requestId: id, outcome: 'DENY', fields: [] });
    expect(again.desk.get(id)?.resolution?.published).toBe(true);
  });
});
