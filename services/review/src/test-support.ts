// Helpers for this package's tests (fixtures, a desk on an in-process bus). Not exported from index.ts.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MemoryBus, avroCodec, consume, createLogger, loadCatalog, topics,
  type Decision, type FieldCatalog, type RecordRequest, type RejectedInput, type ReviewResolution,
} from '@firewall/core';
import { createMemorySigner, type Signer } from '@firewall/ledger';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import { startReviewDesk, type ReviewDesk } from './desk.js';
import { MemoryCaseStore, type CaseStore } from './store.js';

export const silentLogger = createLogger({ service: 'review-test', level: 'silent' });

export function sampleRequest(requestId: string, overrides: Partial<RecordRequest> = {}): RecordRequest {
  return {
    requestId,
    receivedAt: '2026-12-01T15:00:00Z',
    requester: { agency: 'FBI', role: 'Special Agent', verified: true },
    purpose: { code: 'CRIMINAL_INVESTIGATION', text: 'bank robbery' },
    legalBasis: {
      type: 'GRAND_JURY_SUBPOENA', court: 'D. Minn.', judgeSigned: false, verified: null, expires: '2027-01-31',
      namedSubjects: 1, listedFields: ['full_name', 'residential_address'], criminalPredicate: '18 U.S.C. 2113',
    },
    channel: 'RECORD_REQUEST',
    system: 'summons',
    fields: ['full_name', 'residential_address', 'date_of_birth'],
    subjects: { count: 1, selection: 'NAMED' },
    attestations: ['NO_ONWARD_SHARING'],
    subjectIds: ['CIT-2026-000123'],
    dryRun: false,
    ...overrides,
  };
}

export function sampleDecision(requestId: string, outcome: Decision['decision'] = 'REVIEW', overrides: Partial<Decision> = {}): Decision {
  const fields = ['full_name', 'residential_address', 'date_of_birth'];
  const holds = outcome === 'REVIEW' || outcome === 'DENY';
  return {
    requestId,
    decidedAt: '2026-12-01T15:00:01Z',
    decision: outcome,
    fields: fields.map((name) => ({ name, outcome: holds ? 'withhold' : 'release', rules: ['R6'], transform: null })),
    released: holds ? [] : fields,
    withheld: holds ? fields : [],
    rules: [{ id: 'R6', title: 'Judicial and grand-jury subpoenas are verified', sources: ['Minneapolis Code §19.30'] }],
    decisive: ['R6'],
    reasons: [{ rule: 'R6', text: 'A reviewer verifies the subpoena.' }],
    alerts: [{ code: 'FEDERAL_REQUEST', rule: 'R25', fields: [] }],
    councilReport: false,
    openQuestions: ['GRAND_JURY_SUBPOENA_JUDICIAL'],
    policy: { revision: 'rev-1', digest: 'a'.repeat(64) },
    failure: null,
    context: {
      agency: 'FBI', purpose: 'CRIMINAL_INVESTIGATION', basisType: 'GRAND_JURY_SUBPOENA', channel: 'RECORD_REQUEST',
      system: 'summons', selection: 'NAMED', count: 1, dryRun: false,
    },
    ...overrides,
  };
}

let shipped: Promise<{ evaluator: PolicyEvaluator; catalog: FieldCatalog }> | undefined;

/** The shipped policy bundle (signed in a temporary folder, as the embedded mode does) and the field catalog, loaded once. */
export function shippedPolicy(): Promise<{ evaluator: PolicyEvaluator; catalog: FieldCatalog }> {
  shipped ??= (async () => {
    const prepared = await prepareEmbeddedBundle(mkdtempSync(join(tmpdir(), 'pf-review-policy-')));
    const evaluator = await PolicyEvaluator.load(await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)));
    return { evaluator, catalog: loadCatalog() };
  })();
  return shipped;
}

export const sampleQuestions = { GRAND_JURY_SUBPOENA_JUDICIAL: { text: 'Does a grand-jury subpoena count as judicial process?', rules: ['R6'] } };

export interface DeskHarness {
  readonly bus: MemoryBus;
  readonly desk: ReviewDesk;
  readonly signer: Signer;
  readonly store: CaseStore;
  readonly resolutions: ReviewResolution[];
  readonly rejections: RejectedInput[];
  publishRequest(request: RecordRequest): Promise<void>;
  publishDecision(decision: Decision): Promise<void>;
  /** A REVIEW request and its decision, both handled; returns the case id. */
  openOne(overrides?: Partial<RecordRequest>): Promise<string>;
}

export async function deskHarness(options: { store?: CaseStore; signer?: Signer; bus?: MemoryBus } = {}): Promise<DeskHarness> {
  const bus = options.bus ?? new MemoryBus();
  const signer = options.signer ?? (await createMemorySigner());
  const store = options.store ?? new MemoryCaseStore();
  const resolutions: ReviewResolution[] = [];
  const rejections: RejectedInput[] = [];
  const common = { bus, codec: avroCodec, logger: silentLogger, fromBeginning: true } as const;
  await consume({ ...common, topic: topics.reviews, group: `watch-reviews-${randomUUID()}`, handle: async (r) => void resolutions.push(r) });
  await consume({ ...common, topic: topics.rejections, group: `watch-rejections-${randomUUID()}`, handle: async (r) => void rejections.push(r) });
  const desk = await startReviewDesk({ bus, codec: avroCodec, logger: silentLogger, store, signer, openQuestions: sampleQuestions, ...(await shippedPolicy()) });
  const publishRequest = async (request: RecordRequest) => {
    await bus.publish(topics.requests, request.requestId, await avroCodec.encode(topics.requests, request));
    await bus.settled();
  };
  const publishDecision = async (decision: Decision) => {
    await bus.publish(topics.decisions, decision.requestId, await avroCodec.encode(topics.decisions, decision));
    await bus.settled();
  };
  return {
    bus, desk, signer, store, resolutions, rejections, publishRequest, publishDecision,
    async openOne(overrides = {}) {
      const id = randomUUID();
      await publishRequest(sampleRequest(id, overrides));
      await publishDecision(sampleDecision(id));
      return id;
    },
  };
}
