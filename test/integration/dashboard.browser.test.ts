/**
 * The oversight dashboard in headless Chromium, with real data: the visible conformance scenarios driven
 * through the embedded firewall, the page rendered, its key figures read from the screen and checked against a
 * recount of the ledger, a rule's legal sources opened by a click, and a screenshot saved (test-output/) and
 * checked not to be blank.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, pixelStats } from '../helpers/browser.js';
import { recountLedger, startOversightFirewall, visibleScenarios, type OversightFirewall } from '../helpers/oversight.js';

const outputDir = join(import.meta.dirname, '..', '..', 'test-output');
let fw: OversightFirewall;
let browser: Browser;
let month: string;

beforeAll(async () => {
  fw = await startOversightFirewall();
  month = new Date().toISOString().slice(0, 7);
  await fw.driveScenarios(10);
  await fw.settle();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await fw?.close();
});

/** What the page must show for an exact count: the number itself (10 or more), "<10" (1–9), 0; or "suppressed". */
const shownAs = (exact: number) => (exact === 0 ? ['0'] : exact < 10 ? ['<10'] : [exact.toLocaleString('en-US'), 'suppressed']);

describe('oversight dashboard in Chromium', () => {
  it('renders the key figures of the ledger, readable labels, rule sources on click, and a non-blank screenshot', async () => {
    const recount = recountLedger(fw.ledgerDir, month);
    expect(recount.counts.get('T')).toBe(visibleScenarios().length * 10);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const response = await page.goto(`${fw.url}/oversight`);
    expect(response?.status()).toBe(200);
    const figure = (key: string) => page.locator(`[data-figure="${key}"]`).innerText();

    expect(shownAs(recount.counts.get('T')!)).toContain(await figure('total'));
    for (const d of ['DENY', 'REVIEW', 'ALLOW_REDACTED', 'ALLOW']) expect(shownAs(recount.counts.get(`T|${d}`) ?? 0), d).toContain(await figure(d));
    expect(await figure('DENY')).toBe('80');
    expect(shownAs(recount.pendingReviews)).toContain(await figure('backlog'));

    // Plain labels a committee member reads, not codes
    const body = await page.locator('main').innerText();
    for (const label of ['Blocked', 'Held for legal review', 'Released in part', 'Federal immigration enforcement', 'Municipal ID', 'Council reporting']) expect(body).toContain(label);
    // A cell of the agency table, as drawn
    const enforcementDeny = await page.locator('[data-table="byAgencyClass"] [data-cell="enforcement|DENY"]').innerText();
    expect(shownAs(recount.counts.get('class|enforcement|DENY') ?? 0)).toContain(enforcementDeny);

    // The rule's title is on the page; its legal sources show on hover (title) and open on click
    const rule = page.locator('[data-table="topRules"] [data-row="R1"] details');
    await expect(rule.locator('summary').innerText()).resolves.toContain('No city data for civil immigration enforcement');
    expect(await rule.getAttribute('title')).toContain('19.10');
    const sources = rule.locator('ul.sources');
    expect(await sources.isVisible()).toBe(false);
    await rule.locator('summary').click();
    expect(await sources.isVisible()).toBe(true);
    expect(await sources.innerText()).toContain('§19.10');

    // The period filter is a form: the same page for an explicit month
    await page.goto(`${fw.url}/oversight?from=${month}&to=${month}`);
    expect(await figure('DENY')).toBe('80');

    mkdirSync(outputDir, { recursive: true });
    const png = await page.screenshot({ fullPage: true, type: 'png' });
    writeFileSync(join(outputDir, 'oversight-dashboard.png'), png);
    // Measured on a blank page: the dashboard's Content-Security-Policy (rightly) refuses data: images.
    const blank = await browser.newPage();
    const stats = await pixelStats(blank, png);
    await blank.close();
    expect(png.length).toBeGreaterThan(50_000);
    expect(stats.height).toBeGreaterThan(900);
    expect(stats.colours).toBeGreaterThan(50);
    expect(stats.stddev).toBeGreaterThan(10);
    expect(stats.inked).toBeGreaterThan(0.03);
    await page.close();
  });
});
