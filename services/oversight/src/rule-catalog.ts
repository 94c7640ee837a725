import { parse } from 'yaml';
import type { RuleCitation } from '@firewall/core';

/** A rule's plain title and legal sources, as the policy states them. */
export interface RuleInfo {
  readonly title: string;
  readonly sources: readonly string[];
}

/** Rule id → title and sources. Mutable so that titles seen on live decisions can be added. */
export type RuleCatalog = Map<string, RuleInfo>;

/** Adds (or refreshes) the rules cited on a decision: decisions carry each rule's title and sources. */
export function learnRules(catalog: RuleCatalog, citations: readonly RuleCitation[]): void {
  for (const c of citations) {
    const known = catalog.get(c.id);
    if (!known || known.title !== c.title || known.sources.length !== c.sources.length) catalog.set(c.id, { title: c.title, sources: [...c.sources] });
  }
}

/** A catalog from decisions (for instance, the decisions of the conformance scenarios). */
export function ruleCatalogFromDecisions(decisions: Iterable<{ readonly rules: readonly RuleCitation[] }>): RuleCatalog {
  const catalog: RuleCatalog = new Map();
  for (const d of decisions) learnRules(catalog, d.rules);
  return catalog;
}

/**
 * A catalog from the policy's Rego sources (the rule files, or the .rego files inside the bundle): each rule's
 * id, title and sources live in its METADATA annotation (`title`, `custom.id`, `custom.sources`), the same
 * text the wasm build turns into the decisions' citations.
 */
export function ruleCatalogFromRego(sources: Iterable<string>): RuleCatalog {
  const catalog: RuleCatalog = new Map();
  for (const text of sources) {
    for (const block of metadataBlocks(text)) {
      let meta: unknown;
      try {
        meta = parse(block);
      } catch {
        continue;
      }
      const m = meta as { title?: unknown; custom?: { id?: unknown; sources?: unknown } } | null;
      const id = m?.custom?.id;
      if (typeof id !== 'string' || typeof m?.title !== 'string') continue;
      const list = Array.isArray(m.custom?.sources) ? m.custom.sources.filter((s): s is string => typeof s === 'string') : [];
      catalog.set(id, { title: m.title, sources: list });
    }
  }
  return catalog;
}

/** The YAML of each `# METADATA` comment block. */
function metadataBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    if (/^\s*#\s*METADATA\s*$/.test(line)) {
      if (current) blocks.push(current.join('\n'));
      current = [];
    } else if (current && /^\s*#/.test(line)) {
      current.push(line.replace(/^\s*# ?/, ''));
    } else if (current) {
      blocks.push(current.join('\n'));
      current = null;
    }
  }
  if (current) blocks.push(current.join('\n'));
  return blocks;
}

/** A catalog from a bundle's files (readBundleArchive of @firewall/policy): its .rego sources, tests excluded. */
export function ruleCatalogFromBundleFiles(files: Iterable<readonly [string, Buffer | string]>): RuleCatalog {
  const sources: string[] = [];
  for (const [name, content] of files) if (name.endsWith('.rego') && !name.endsWith('_test.rego')) sources.push(content.toString());
  return ruleCatalogFromRego(sources);
}
