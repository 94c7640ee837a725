import { mkdtempSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASES_FILE, openFileCaseStore } from './file-store.js';
import { deskHarness } from './test-support.js';

const reviewer = { agency: 'CITY_ATTORNEY_DATA_PRACTICES', role: 'DATA_PRACTICES_REVIEWER' };
const tempDir = () => join(mkdtempSync(join(tmpdir(), 'pf-review-')), 'reviews');

describe('file case store', () => {
  it('when the desk restarts, then open and resolved cases are still there and a resolved case stays resolved', async () => {
    const dir = tempDir();
    const first = await deskHarness({ store: await openFileCaseStore(dir) });
    const open = await first.openOne();
    const resolved = await first.openOne();
    await first.desk.resolveCase(resolved, { outcome: 'ALLOW', fields: ['full_name'], note: 'ok' }, reviewer);
    await first.desk.close();

    const store = await openFileCaseStore(dir);
    expect(store.status).toEqual({ cases: 2, bytesRemoved: 0 });
    const second = await deskHarness({ store, signer: first.signer });
    expect(second.desk.list('OPEN').map((c) => c.caseId)).toEqual([open]);
    expect(second.desk.get(resolved)).toMatchObject({ status: 'RESOLVED', resolution: { published: true, message: { fields: ['full_name'] } } });
    await expect(second.desk.resolveCase(resolved, { outcome: 'DENY', fields: [], note: 'again' }, reviewer)).rejects.toMatchObject({ status: 409 });
    await second.bus.settled();
    expect(second.resolutions).toHaveLength(0); // already published before the restart: not sent twice
    await second.desk.close();
  });

  it('writes the file 0600 and keeps no subject identifiers in it', async () => {
    const dir = tempDir();
    const h = await deskHarness({ store: await openFileCaseStore(dir) });
    await h.openOne();
    await h.desk.close();
    expect(statSync(join(dir, CASES_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, CASES_FILE), 'utf8')).not.toContain('CIT-2026-000123');
  });

  it('when the last line was torn by a crash, then it is dropped on open and the store keeps working', async () => {
    const dir = tempDir();
    const h = await deskHarness({ store: await openFileCaseStore(dir) });
    const id = await h.openOne();
    await h.desk.close();
    appendFileSync(join(dir, CASES_FILE), '{"caseId":"torn","sta');
    const store = await openFileCaseStore(dir);
    expect(store.status).toEqual({ cases: 1, bytesRemoved: 21 });
    expect(store.get(id)?.status).toBe('OPEN');
    await store.put({ ...store.get(id)!, status: 'RESOLVED' });
    await store.close();
    expect((await openFileCaseStore(dir)).get(id)?.status).toBe('RESOLVED');
  });

  it('when a complete line is not a case, then opening fails loudly instead of losing cases', async () => {
    const dir = tempDir();
    const h = await deskHarness({ store: await openFileCaseStore(dir) });
    await h.openOne();
    await h.desk.close();
    const path = join(dir, CASES_FILE);
    writeFileSync(path, `not json\n${readFileSync(path, 'utf8')}`);
    await expect(openFileCaseStore(dir)).rejects.toMatchObject({ code: 'PF_REVIEW_STORE_CORRUPT' });
  });
});
