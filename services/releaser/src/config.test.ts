import { describe, expect, it } from 'vitest';
import { MemoryBus, avroCodec, createLogger } from '@firewall/core';
import { createRecordSystems, embeddedRecordSystems, parseRecordSystems } from './config.js';
import { jweFrom, releaserEnv } from './env.js';

describe('record systems configuration', () => {
  it('accepts one adapter per system and builds them', async () => {
    const config = parseRecordSystems({
      systems: {
        municipal_id: { adapter: 'fixture', seed: 3 },
        service_requests: { adapter: 'open311', baseUrl: 'http://127.0.0.1:9/open311/v2' },
        summons: { adapter: 'sql', connectionString: 'postgres://nobody@127.0.0.1:9/none', table: 'courts.summons', idColumn: 'citation_id', columns: { offense: 'charge' } },
        audit: { adapter: 'ledger' },
      },
    });
    const systems = await createRecordSystems(config, { bus: new MemoryBus(), codec: avroCodec, logger: createLogger({ service: 't', level: 'silent' }) });
    expect(systems.adapters.map((a) => a.system).sort()).toEqual(['audit', 'municipal_id', 'service_requests', 'summons']);
    expect(systems.subscriptions).toHaveLength(1);
    await systems.close();
  });

  it('lists every problem at once, by path', () => {
    expect(() => parseRecordSystems({ systems: { summons: { adapter: 'sql', table: 'x' }, parking: { adapter: 'carrier-pigeon' } } }))
      .toThrow(expect.objectContaining({ code: 'PF_RELEASE_CONFIG', details: expect.arrayContaining([expect.stringContaining('systems.summons'), expect.stringContaining('systems.parking')]) }));
    expect(() => parseRecordSystems({ systems: { audit: { adapter: 'fixture' } } })).toThrow(/no fixture data/);
  });

  it('refuses SQL identifiers that are not plain names', async () => {
    const config = parseRecordSystems({ systems: { summons: { adapter: 'sql', connectionString: 'postgres://x@127.0.0.1:9/x', table: 'summons; DROP TABLE x', idColumn: 'id' } } });
    await expect(createRecordSystems(config, { bus: new MemoryBus(), codec: avroCodec, logger: createLogger({ service: 't', level: 'silent' }) }))
      .rejects.toMatchObject({ code: 'PF_RELEASE_CONFIG' });
  });

  it('defaults to the fixtures and the ledger aggregate in the embedded mode', () => {
    expect(parseRecordSystems(embeddedRecordSystems)).toEqual(embeddedRecordSystems);
  });
});

describe('releaser settings and the decrypt helper', () => {
  it('has bounded waits by default', () => {
    expect(releaserEnv.ADAPTER_TIMEOUT_MS.parse(undefined)).toBe(5_000);
    expect(releaserEnv.RELEASE_TIMEOUT_MS.parse('2500')).toBe(2_500);
  });

  it('finds the JWE in a bare token, a gateway answer or a Release', () => {
    const jwe = 'aaa.bbb.ccc.ddd.eee';
    expect(jweFrom(` ${jwe}\n`)).toBe(jwe);
    expect(jweFrom(JSON.stringify({ decision: 'ALLOW', records: { jwe } }))).toBe(jwe);
    expect(jweFrom(JSON.stringify({ outcome: 'RELEASED', payload: jwe }))).toBe(jwe);
    expect(() => jweFrom(JSON.stringify({ decision: 'DENY' }))).toThrow(/nothing was released/);
    expect(() => jweFrom('not json')).toThrow(/compact JWE/);
  });
});
