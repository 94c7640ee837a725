/**
 * The reviewer page in a real browser (Debian's headless Chromium driven by playwright-core): a held request
 * (S10) appears on /review with its rules, legal document and open question; the reviewer signs in with a token,
 * ticks two of the three requested fields, resolves ALLOW with a note, the page shows the case resolved, and the
 * ReviewResolution published on firewall.reviews.v1 carries exactly the ticked fields.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, avroCodec, consume, createLogger, loadCatalog, repoRoot, topics, type ReviewResolution } from '@firewall/core';
import { loadAgencyRegistry } from '@firewall/http';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import {
  createReviewRouter, loadOrCreateReviewKey, openFileCaseStore, reviewerAgency, startReviewDesk, verifyResolution, type ReviewDesk,
} from '@firewall/review';
import { ensureDevAgencies, mintDevToken } from '../../services/cli/src/dev-keys.js';
import { startFirewall, type RunningFirewall } from '../../services/cli/src/firewall.js';
import { devCredentialVerifier, presentedOverHttp } from '../helpers/credentials.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Debian's Chromium: the project's installer when there is one, else apt (we run as root on these machines). */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const installer = join(repoRoot, 'deploy', 'local', 'install-chromium.sh');
  if (existsSync(installer)) execFileSync('bash', [installer], { stdio: 'inherit', timeout: 600_000 });
  else execFileSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], { stdio: 'inherit', timeout: 600_000 });
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is still missing after installing chromium`);
}

const logger = createLogger({ service: 'it-review-browser', level: 'silent' });
const dataDir = mkdtempSync(join(tmpdir(), 'pf-review-web-'));
const bus = new MemoryBus();
const resolutions: ReviewResolution[] = [];
let firewall: RunningFirewall;
let desk: ReviewDesk;
let server: Server;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  ensureChromium();
  const prepared = await prepareEmbeddedBundle(dataDir);
  const evaluator = await PolicyEvaluator.load(await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)));
  const data = evaluator.bundle.data as { agencies: object; open_questions: unknown };
  const { registryPath } = await ensureDevAgencies(dataDir, [...Object.keys(data.agencies), reviewerAgency]);
  const registry = loadAgencyRegistry(registryPath);
  firewall = await startFirewall({
    bus, codec: avroCodec, catalog: loadCatalog(), evaluator, registry, logger, dataDir, ledgerDir: join(dataDir, 'ledger'),
    ledgerKeyPath: join(dataDir, 'keys', 'ledger.key.pem'), decisionTimeoutMs: 30_000,
    credentials: await devCredentialVerifier(dataDir),
    // The desk is started and mounted below, by this test (explicit roles keep startFirewall from adding its own).
    roles: ['gateway', 'decider', 'ledger'],
  });
  await consume({ bus, codec: avroCodec, logger, topic: topics.reviews, group: 'it-browser-watch-reviews', fromBeginning: true, handle: async (r) => void resolutions.push(r) });
  desk = await startReviewDesk({
    bus, codec: avroCodec, logger, openQuestions: data.open_questions, store: await openFileCaseStore(join(dataDir, 'reviews')), evaluator, catalog: loadCatalog(),
    signer: await loadOrCreateReviewKey(join(dataDir, 'keys', 'review-signing.key.pem'), { create: true }),
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(createReviewRouter({ desk, edge: firewall.edge, logger }));
  app.use(firewall.app);
  app.use(firewall.edge.errors);
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await desk?.close();
  await firewall?.close(server);
  await bus.close();
});

describe('reviewer page in headless Chromium', () => {
  it('a held request is resolved on /review and the published resolution has exactly the ticked fields', async () => {
    // A held request, through the gateway like any requester's.
    // The purpose text is the requester's own words: markup in it must reach the page as text, never as HTML.
    const s10 = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'conformance', 'S10.json'), 'utf8')).request;
    const hostile = '<img src=x onerror="document.title=1">bank robbery';
    const held = await fetch(`${baseUrl}/v1/requests`, {
      method: 'POST', body: JSON.stringify(await presentedOverHttp(dataDir, { ...s10, purpose: { ...s10.purpose, text: hostile } })),
      headers: { authorization: `Bearer ${await mintDevToken(dataDir, 'FBI')}`, 'content-type': 'application/json' },
    });
    expect(held.status).toBe(202);
    const caseId = ((await held.json()) as { ticket: { id: string } }).ticket.id;
    await bus.settled();

    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => void (msg.type() === 'error' && problems.push(`console: ${msg.text()}`)));
    try {
      await page.goto(`${baseUrl}/review`);
      // Not signed in: the page asks for a reviewer token, then exchanges it for a session cookie.
      await page.getByLabel('Reviewer token').fill(await mintDevToken(dataDir, reviewerAgency, { role: 'CITY_ATTORNEY' }));
      await page.getByRole('button', { name: 'Sign in' }).click();
      const card = page.locator(`section.case[data-case-id="${caseId}"]`);
      await card.waitFor({ timeout: 15_000 });
      expect(await page.locator('#whoami').textContent()).toContain('CITY_ATTORNEY');
      const cookies = await page.context().cookies();
      expect(cookies.find((c) => c.name === 'pf_review_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

      // Everything the reviewer needs is on the card.
      const text = (await card.textContent()) ?? '';
      expect(text).toContain('FBI');
      expect(text).toContain('GRAND_JURY_SUBPOENA');
      expect(text).toContain('18 U.S.C. 2113');
      expect(text).toContain('R6 — Judicial and grand-jury subpoenas are verified');
      expect(text).toContain('Minneapolis Code of Ordinances');
      expect(text).toContain(`CRIMINAL_INVESTIGATION: ${hostile}`);
      expect(await card.locator('img').count()).toBe(0);
      expect(await page.title()).toBe('Review desk — Sanctuary firewall');
      expect(await card.locator('li[data-question="GRAND_JURY_SUBPOENA_JUDICIAL"]').textContent()).toContain('count as judicial process');
      // The subpoena came with a development issuer's credential: the card says whose.
      expect(await card.locator('.verification').getAttribute('data-verification')).toBe('VERIFIED');
      expect(await card.locator('.verification').textContent()).toMatch(/^Verified: the facts below come from a credential signed by the registered issuer \S+/);
      const boxes = card.locator('input[type=checkbox][name=field]');
      expect(await boxes.evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value))).toEqual(['full_name', 'residential_address', 'date_of_birth']);

      // What the paper shows, previewed: the policy re-decides (a grand-jury subpoena stays with the reviewer, R6),
      // then the findings are left out of this resolution.
      await card.getByLabel(/^I checked the paper document/).check();
      await card.getByLabel('Court', { exact: true }).fill('U.S. District Court, D. Minn.');
      await card.getByLabel('Signed by a judge').selectOption('false');
      await card.getByRole('button', { name: 'Preview the re-decision' }).click();
      await expect.poll(() => card.locator('.redecision').textContent(), { timeout: 15_000 }).toMatch(/^Re-decision with these findings: REVIEW \(policy revision .+; rules .*R6.*\)\. The policy still leaves it to a reviewer/);
      await card.getByLabel(/^I checked the paper document/).uncheck();

      // Tick two of three, ALLOW, a note, resolve.
      await card.getByLabel('Allow the fields ticked below').check();
      await card.getByLabel('full_name', { exact: true }).check();
      await card.getByLabel('date_of_birth', { exact: true }).check();
      await card.getByLabel(/^Note/).fill('Subpoena verified with the grand jury clerk; address not needed.');
      await card.getByRole('button', { name: 'Resolve' }).click();

      await card.locator('.resolved .verdict').waitFor({ timeout: 15_000 });
      expect(await card.getAttribute('data-status')).toBe('RESOLVED');
      expect(await card.locator('.verdict').textContent()).toBe('Resolved: ALLOW — fields: full_name, date_of_birth');
      expect(await card.locator('form').count()).toBe(0);
      expect(await page.locator('#status').textContent()).toContain(`Case ${caseId} resolved: ALLOW.`);

      // Reloaded, the open list no longer holds it (the session cookie still works).
      await page.reload();
      await page.locator('#cases').waitFor();
      expect(await page.locator(`section.case[data-case-id="${caseId}"]`).count()).toBe(0);
      expect(await page.locator('#whoami').textContent()).toContain('CITY_ATTORNEY');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }

    await bus.settled();
    const published = resolutions.filter((r) => r.requestId === caseId);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ outcome: 'ALLOW', reviewerRole: 'CITY_ATTORNEY', fields: ['full_name', 'date_of_birth'] });
    const signed = await verifyResolution(published[0]!, desk.jwks());
    expect(signed.note).toBe('Subpoena verified with the grand jury clerk; address not needed.');
  }, 120_000);
});
