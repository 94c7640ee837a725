import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryBus, avroCodec, consume, createLogger, topics, type AuditEntry, type DeadLetter, type RecordRequest } from '@firewall/core';
import { openLedger } from './file-ledger.js';
import { createMemorySigner } from './signer/memory-signer.js';
import { startLedgerService } from './service.js';
import { events, fileLines, firstSegment, tempDir } from './test-support.js';
import { verifyLedgerFolder } from './verify.js';

/**
 * The disk refusing a write, simulated here (the real one is test/integration/ledger-disk-full.test.ts): while
 * `full`, each append writes half its bytes — a torn line, as ENOSPC mid-write leaves — and then fails.
 */
const disk = vi.hoisted(() => ({ full: false }));
vi.mock('./fs-util.js', async (original) => {
  const real = await original<typeof import('./fs-util.js')>();
  return {
    ...real,
    appendDurably: async (fh: FileHandle, data: string) => {
      if (!disk.full) return real.appendDurably(fh, data);
      const half = Buffer.from(data).subarray(0, Math.max(1, Math.floor(Buffer.byteLength(data) / 2)));
      await fh.write(half);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
  };
});

const logger = createLogger({ service: 'test', level: 'silent' });
afterEach(() => void (disk.full = false));

describe('FileLedger after a failed write', () => {
  it('when an append fails mid-line, then appends are refused until restore() cuts the torn bytes; the chain then continues and verifies', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const signer = await createMemorySigner();
      const ledger = await openLedger(dir, signer, { checkpointIntervalMs: 0 });
      await ledger.appendBatch(events(3));
      disk.full = true;
      await expect(ledger.append(events(1, 3)[0]!)).rejects.toMatchObject({ code: 'PF_LEDGER_WRITE_FAILED', details: ['ENOSPC'] });
      expect(ledger.failure?.code).toBe('PF_LEDGER_WRITE_FAILED');
      expect((await fileLines(firstSegment(dir))).length).toBe(4); // three entries and a torn one
      await ledger.restore(); // the cut works even on a full disk; the next write is the test
      await expect(ledger.append(events(1, 3)[0]!)).rejects.toMatchObject({ code: 'PF_LEDGER_WRITE_FAILED' });
      disk.full = false;
      await expect(ledger.append(events(1, 3)[0]!)).rejects.toMatchObject({ code: 'PF_LEDGER_WRITE_FAILED' }); // still failed: no restore yet
      await ledger.restore();
      expect(ledger.failure).toBeUndefined();
      const stored = await ledger.append(events(1, 3)[0]!);
      expect(stored.entry.seq).toBe(3);
      await ledger.close();
      expect((await fileLines(firstSegment(dir))).length).toBe(4);
      expect((await verifyLedgerFolder(dir, { jwks: { keys: [signer.publicJwk] } })).ok).toBe(true);
    } finally {
      await cleanup();
    }
  });
});

describe('the ledger service on a failing disk', () => {
  it('when the disk refuses, then it is unhealthy, publishes nothing, dead-letters nothing, and chains the message once when the disk is back', async () => {
    const { dir, cleanup } = await tempDir();
    const bus = new MemoryBus();
    const audit: AuditEntry[] = [];
    const letters: DeadLetter[] = [];
    await consume({ bus, codec: avroCodec, logger, topic: topics.audit, group: 'watch', handle: async (e) => void audit.push(e) });
    await consume({ bus, codec: avroCodec, logger, topic: topics.deadLetters, group: 'letters', handle: async (l) => void letters.push(l) });
    const service = await startLedgerService({ bus, codec: avroCodec, logger, dir: join(dir, 'ledger'), keyPath: join(dir, 'ledger.key.pem'), createKey: true, retry: { firstMs: 10, maxMs: 40 } });
    try {
      const request: RecordRequest = {
        requestId: '0b6c1f1e-6a51-4d1e-9a53-2f7e7f0c0a11', receivedAt: '2026-12-01T15:00:00Z', requester: { agency: 'MPD', role: null, verified: true },
        purpose: { code: 'CODE_ENFORCEMENT', text: null }, legalBasis: null, channel: null, system: 'parking', fields: ['plate_read'], subjects: null, attestations: null,
      };
      const states: boolean[] = [];
      service.writable.onChange((s) => states.push(s.ok));
      disk.full = true;
      await bus.publish(topics.requests, request.requestId, await avroCodec.encode(topics.requests, request));
      await vi.waitFor(() => expect(service.writable.status).toEqual({ name: 'ledger', ok: false, code: 'PF_LEDGER_UNAVAILABLE' }));
      await new Promise((r) => setTimeout(r, 200)); // several retries
      expect(audit).toEqual([]);
      expect(letters).toEqual([]);
      disk.full = false;
      await vi.waitFor(() => expect(audit.map((e) => e.type)).toEqual(['REQUEST_RECEIVED']));
      expect(service.writable.status.ok).toBe(true);
      expect(states).toEqual([false, true]);
      expect(letters).toEqual([]);
    } finally {
      await service.close();
      await cleanup();
    }
  });
});
