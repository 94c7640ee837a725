import { describe, expect, it } from 'vitest';
import { ConsumerHealth, HealthState, Readiness } from './health.js';

describe('Readiness', () => {
  it('is ready exactly while every check is ok, names the failing one with its code, and tells listeners once per change', () => {
    const ledger = new HealthState('ledger');
    const startup = new HealthState('startup', 'PF_GATEWAY_NOT_READY');
    const readiness = new Readiness([startup, ledger]);
    const heard: string[] = [];
    readiness.onFail((s) => heard.push(`${s.name} ${s.code}`));
    expect(readiness.report()).toEqual({ ready: false, checks: [{ name: 'startup', ok: false, code: 'PF_GATEWAY_NOT_READY' }, { name: 'ledger', ok: true }] });
    startup.ok();
    expect(readiness.report().ready).toBe(true);
    expect(ledger.fail('PF_LEDGER_UNAVAILABLE')).toBe(true);
    expect(ledger.fail('PF_LEDGER_UNAVAILABLE')).toBe(false); // a retry is not a new outage
    expect(readiness.failing()).toEqual({ name: 'ledger', ok: false, code: 'PF_LEDGER_UNAVAILABLE' });
    expect(ledger.ok()).toBe(true);
    expect(readiness.report().ready).toBe(true);
    expect(heard).toEqual(['ledger PF_LEDGER_UNAVAILABLE']);
    expect(ledger.failures).toBe(1);
  });

  it('fails the consumers check while any crashed consumer has not rejoined', () => {
    const consumers = new ConsumerHealth();
    consumers.crashed('a');
    consumers.crashed('b');
    consumers.running('a');
    expect(consumers.state.status).toEqual({ name: 'consumers', ok: false, code: 'PF_BUS_CONSUMER_CRASHED' });
    consumers.running('b');
    expect(consumers.state.status.ok).toBe(true);
  });
});
