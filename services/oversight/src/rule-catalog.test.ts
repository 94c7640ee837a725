import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { policiesDir } from '@firewall/core';
import { learnRules, ruleCatalogFromRego } from './rule-catalog.js';

const policyDir = join(policiesDir, 'firewall');
const regoSources = () => (readdirSync(policyDir, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.rego') && !f.endsWith('_test.rego')).map((f) => readFileSync(join(policyDir, f), 'utf8'));

describe('rule catalog', () => {
  it('when built from the policy sources, then every rule R1–R27 has its title and legal sources', () => {
    const catalog = ruleCatalogFromRego(regoSources());
    for (let i = 1; i <= 27; i++) expect(catalog.has(`R${i}`), `R${i}`).toBe(true);
    expect(catalog.get('R1')).toMatchObject({ title: 'No city data for civil immigration enforcement' });
    expect(catalog.get('R1')!.sources[0]).toContain('§19.10');
  });

  it('when a decision cites a rule, then its title and sources are learned', () => {
    const catalog = new Map();
    learnRules(catalog, [{ id: 'R9', title: 'Public records', sources: ['Minn. Stat. 13.82'] }]);
    expect(catalog.get('R9')).toEqual({ title: 'Public records', sources: ['Minn. Stat. 13.82'] });
  });
});

describe('deploy configuration', () => {
  it('Prometheus scrapes /metrics of every firewall role', () => {
    const config = parse(readFileSync(join(import.meta.dirname, '../../../deploy/prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[]; labels?: { role?: string } }[] }[] };
    const firewall = config.scrape_configs.find((j) => j.job_name === 'firewall')!;
    expect(firewall.metrics_path).toBe('/metrics');
    expect(firewall.static_configs.map((c) => c.labels?.role).sort()).toEqual(['decider', 'gateway', 'ledger']);
  });

  it('Grafana provisioning points at the dashboards folder and the Prometheus datasource the dashboard uses', () => {
    const read = (p: string) => readFileSync(join(import.meta.dirname, '../../../deploy/grafana', p), 'utf8');
    const providers = parse(read('provisioning/dashboards/firewall.yml')) as { providers: { options: { path: string } }[] };
    const sources = parse(read('provisioning/datasources/prometheus.yml')) as { datasources: { uid: string; url: string }[] };
    const dashboard = JSON.parse(read('dashboards/firewall.json')) as { uid: string; panels: { datasource?: { uid: string } }[] };
    expect(providers.providers[0]!.options.path).toBe('/var/lib/grafana/dashboards');
    expect(new Set(dashboard.panels.map((p) => p.datasource?.uid).filter(Boolean))).toEqual(new Set([sources.datasources[0]!.uid]));
    expect(sources.datasources[0]!.url).toBe('http://prometheus:9090');
  });
});

describe('rule catalog from the shipped bundle', () => {
  it('when read from the bundle archive, then it has the same rules as the sources', async () => {
    const { readBundleArchive } = await import('@firewall/policy');
    const { ruleCatalogFromBundleFiles } = await import('./rule-catalog.js');
    const catalog = ruleCatalogFromBundleFiles(readBundleArchive(join(policiesDir, 'dist', 'bundle.tar.gz')));
    expect(catalog).toEqual(ruleCatalogFromRego(regoSources()));
  });
});
