import { describe, expect, it } from 'vitest';
import { refusingReplayGuard } from '@firewall/http';
import { checkStartConfig, loadConfig } from './config.js';

describe('firewall start settings', () => {
  it('over Kafka, a gateway or a review desk needs the shared spent-token table; other roles and the embedded mode do not', () => {
    for (const roles of ['gateway', 'review', 'ledger,review']) {
      expect(() => checkStartConfig(loadConfig({ KAFKA_BROKERS: '127.0.0.1:19092', FIREWALL_ROLES: roles })), roles).toThrow(/FIREWALL_REPLAY_DATABASE_URL/);
    }
    expect(() => checkStartConfig(loadConfig({ KAFKA_BROKERS: '127.0.0.1:19092', FIREWALL_ROLES: 'gateway', FIREWALL_REPLAY_DATABASE_URL: 'postgres://x' }))).not.toThrow();
    expect(() => checkStartConfig(loadConfig({ KAFKA_BROKERS: '127.0.0.1:19092', FIREWALL_ROLES: 'ledger,decider' }))).not.toThrow();
    expect(() => checkStartConfig(loadConfig({}))).not.toThrow();
  });

  it('a process that must accept no token refuses every one, fail closed', async () => {
    await expect(refusingReplayGuard.spend('MPD', 'jti', Date.now() + 60_000)).rejects.toMatchObject({ code: 'PF_AUTH_REPLAY_UNAVAILABLE' });
  });

  it('rates are PER_SECOND/BURST; anything else is refused when the settings are read', () => {
    expect(loadConfig({ RATE_LIMIT_PER_AGENCY: '5/10' }).RATE_LIMIT_PER_AGENCY).toEqual({ perSecond: 5, burst: 10 });
    expect(() => loadConfig({ RATE_LIMIT_PER_AGENCY: 'fast' })).toThrow(/RATE_LIMIT_PER_AGENCY/);
  });
});
