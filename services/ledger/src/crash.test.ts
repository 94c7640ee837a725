// Crash and second-writer behaviour across real processes: a child writes through the TypeScript sources (tsx).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLedger } from './file-ledger.js';
import { loadOrCreateSigningKey } from './signer/file-signer.js';
import { tempDir } from './test-support.js';
import { verifyLedgerFolder } from './verify.js';

const src = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const childScript = (dir: string, keyPath: string): string => `
const { FileLedger } = await import(${JSON.stringify(join(src, 'file-ledger.ts'))});
const { loadOrCreateSigningKey } = await import(${JSON.stringify(join(src, 'signer/file-signer.ts'))});
const { digestEvent } = await import(${JSON.stringify(join(src, 'canonical.ts'))});
const ledger = await FileLedger.open(${JSON.stringify(dir)}, await loadOrCreateSigningKey(${JSON.stringify(keyPath)}), { checkpointEvery: 50 });
for (let i = 0; ; i++) {
  const wave = [];
  for (let j = 0; j < 8; j++) {
    const n = i * 8 + j;
    wave.push(ledger.append({ type: 'DECISION', requestId: 'req-' + n, eventDigest: digestEvent({ n }), policyRevision: 'r', summary: { decision: 'DENY' } })
      .then((line) => process.stdout.write('durable ' + line.entry.seq + '\\n')));
  }
  await Promise.all(wave);
}
`;

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe('a writer process that crashes', () => {
  it('when a second process opens the folder, then it is refused; after a kill -9, every acknowledged entry survives', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const dir = join(t.dir, 'ledger');
    const keyPath = join(t.dir, 'ledger.pem');
    await loadOrCreateSigningKey(keyPath, { create: true });
    const script = join(t.dir, 'child.mjs');
    await writeFile(script, childScript(dir, keyPath));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let acknowledged = -1;
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (const m of out.matchAll(/durable (\d+)\n/g)) acknowledged = Math.max(acknowledged, Number(m[1]));
    });
    await expect.poll(() => acknowledged, { timeout: 20_000, interval: 20 }).toBeGreaterThan(300);

    const signer = await loadOrCreateSigningKey(keyPath);
    await expect(FileLedger.open(dir, signer)).rejects.toMatchObject({ code: 'PF_LEDGER_LOCKED' });

    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const seenBeforeKill = acknowledged;

    const ledger = await FileLedger.open(dir, signer, { checkpointIntervalMs: 0 });
    expect(ledger.status.staleLockRemoved).toBe(true);
    expect(ledger.size).toBeGreaterThan(seenBeforeKill);
    await ledger.close();
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: true, entries: ledger.size });
  }, 30_000);
});
