/**
 * Generates TypeScript types from the Avro schemas in schemas/ so the schemas stay the single definition of
 * every message. Run `npm run gen:types`; a unit test fails when the generated file is out of date.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

type Avro = string | Avro[] | { type: string; name?: string; fields?: Field[]; items?: Avro; values?: Avro; symbols?: string[]; doc?: string };
interface Field { name: string; type: Avro; doc?: string; default?: unknown }

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const generatedPath = join(root, 'services/core/src/generated/messages.ts');

const primitives: Record<string, string> = {
  null: 'null', boolean: 'boolean', int: 'number', long: 'number', float: 'number', double: 'number',
  bytes: 'Buffer', string: 'string',
};

function render(schema: Avro, out: string[]): string {
  if (typeof schema === 'string') return primitives[schema] ?? schema.split('.').pop()!;
  if (Array.isArray(schema)) return schema.map((s) => render(s, out)).join(' | ');
  switch (schema.type) {
    case 'array': return `${wrap(render(schema.items!, out))}[]`;
    case 'map': return `Record<string, ${render(schema.values!, out)}>`;
    case 'enum': {
      out.push(`${doc(schema.doc)}export type ${schema.name} = ${schema.symbols!.map((s) => `'${s}'`).join(' | ')};\n`);
      return schema.name!;
    }
    case 'record': {
      const lines = schema.fields!.map((f) => {
        const optional = f.default !== undefined;
        return `${doc(f.doc, '  ')}  ${f.name}${optional ? '?' : ''}: ${render(f.type, out)};`;
      });
      out.push(`${doc(schema.doc)}export interface ${schema.name} {\n${lines.join('\n')}\n}\n`);
      return schema.name!;
    }
    default: return primitives[schema.type] ?? 'unknown';
  }
}
const wrap = (t: string) => (t.includes('|') ? `(${t})` : t);
const doc = (text: string | undefined, indent = '') => (text ? `${indent}/** ${text} */\n` : '');

export function generate(): string {
  const out: string[] = [];
  const dir = join(root, 'schemas/firewall');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.avsc')).sort()) {
    render(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Avro, out);
  }
  return `// Generated from schemas/firewall/*.avsc by scripts/gen-types.ts. Do not edit.\n\n${out.join('\n')}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(generatedPath, generate());
  console.log(`wrote ${generatedPath}`);
}
