// The layers of src/ and workers/ point one way, and no module imports itself back: every
// relative import (type-only ones too) is read with the TypeScript parser and checked against
// the layer table below, which docs/architecture.md explains.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

type Layer =
  | 'foundation'
  | 'infrastructure'
  | 'records'
  | 'accounts'
  | 'portals'
  | 'sync'
  | 'binder'
  | 'exports'
  | 'uploads'
  | 'entries'
  | 'requests'
  | 'shares'
  | 'audit'
  | 'notices'
  | 'jobs'
  | 'api'
  | 'plugins'
  | 'http'
  | 'app'
  | 'entry';

/** Which layer a file belongs to: the first pattern that matches, most specific first. */
const LAYER_OF: ReadonlyArray<readonly [RegExp, Layer]> = [
  // Entry points: processes and command lines. They may use anything below them.
  [/^src\/demo\.ts$/, 'entry'],
  [/^workers\/main\.ts$/, 'entry'],
  [/^src\/[\w-]+\/[\w-]*cli\.ts$/, 'entry'],
  [/^src\/(app|server)\.ts$/, 'app'],
  // HTTP: the routes of each area, the health checks, the dashboard and the web client's files.
  [/^src\/[\w-]+\/routes\.ts$/, 'http'],
  [/^src\/(admin|health|web)\//, 'http'],
  [/^src\/plugins\//, 'plugins'],
  [/^src\/api\//, 'api'],
  [/^src\/jobs\//, 'jobs'],
  [/^src\/uploads\//, 'uploads'],
  [/^src\/entries\//, 'entries'],
  [/^src\/requests\//, 'requests'],
  [/^src\/shares\//, 'shares'],
  [/^src\/audit\//, 'audit'],
  [/^src\/notices\//, 'notices'],
  [/^src\/exports\//, 'exports'],
  [/^src\/binder\//, 'binder'],
  [/^src\/sync\//, 'sync'],
  [/^src\/portals\//, 'portals'],
  [/^src\/accounts\//, 'accounts'],
  [/^src\/records\//, 'records'],
  [/^src\/(db|queue|crypto|http|observability)\//, 'infrastructure'],
  [/^src\/(config|errors|logger|lifecycle|startup|embedded|demo-ports)\.ts$/, 'foundation'],
  [/^src\/util\//, 'foundation'],
];

const BELOW_DOMAIN: Layer[] = ['foundation', 'infrastructure', 'records'];
const DOMAIN: Layer[] = ['accounts', 'portals', 'sync', 'binder', 'exports', 'uploads', 'entries', 'requests', 'shares', 'audit', 'notices'];

/** What each layer may import besides itself. */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  foundation: [],
  // db/, queue/, crypto/, http/ (the portal HTTP client) and observability/ (metrics, traces) know no domain: they are primitives.
  infrastructure: ['foundation'],
  // Pure mapping from FHIR to the binder: nothing of sync, portals, binder, accounts or plugins.
  records: ['foundation'],
  accounts: ['foundation', 'infrastructure'],
  portals: ['foundation', 'infrastructure', 'records'],
  sync: [...BELOW_DOMAIN, 'portals'],
  binder: [...BELOW_DOMAIN],
  // The patient's own copies (bundle, IPS, zip) are made from what the binder shows.
  exports: [...BELOW_DOMAIN, 'binder'],
  // A file the patient uploads is filed like a synced resource (validation, record rows, storage).
  uploads: [...BELOW_DOMAIN, 'sync', 'binder'],
  // The patient's own entries are checked and stored as a synced resource is.
  entries: [...BELOW_DOMAIN, 'sync'],
  // A records request reads the binder (what is missing) and the portals' Patients as the exports merge them.
  requests: [...BELOW_DOMAIN, 'binder', 'exports'],
  // A SMART Health Link shares a snapshot of the patient's copies (IPS, PDF, Bundle), encrypted.
  shares: [...BELOW_DOMAIN, 'exports'],
  // The audit trail: a store and a fastify decoration that every area's routes record through.
  audit: ['foundation', 'infrastructure'],
  // E-mail notices: preferences, what is due, the mail itself; they read links and runs by SQL.
  notices: ['foundation', 'infrastructure'],
  // One file per queue: its processor calls into the domain.
  jobs: [...BELOW_DOMAIN, ...DOMAIN],
  // The API contract (zod schemas); domain-fit.ts compares it with the domain's types, type-only.
  api: [...BELOW_DOMAIN, ...DOMAIN],
  // Fastify plugins for infrastructure (database, security, errors, docs, secrets, the session guard).
  plugins: ['foundation', 'infrastructure'],
  // Routes use the domain, enqueue through jobs/ and declare their guards with plugins/.
  http: [...BELOW_DOMAIN, ...DOMAIN, 'jobs', 'api', 'plugins'],
  app: [...BELOW_DOMAIN, ...DOMAIN, 'jobs', 'api', 'plugins', 'http'],
  entry: [...BELOW_DOMAIN, ...DOMAIN, 'jobs', 'api', 'plugins', 'http', 'app'],
};

/** Imports that no layer rule catches: folders that are neighbours in the table but must not meet. */
const FORBIDDEN: ReadonlyArray<{ from: RegExp; to: RegExp; why: string }> = [
  { from: /^src\/portals\//, to: /^src\/sync\//, why: 'portals enqueue syncs through src/jobs/sync.ts' },
];

/**
 * Known imports up the layers, each waiting for a change another piece of work makes. Each must
 * still exist: once it is gone the test says so and the entry is deleted, and the rule holds.
 */
const PENDING: ReadonlyArray<{ from: string; to: string; why: string }> = [
  // None now. (src/plugins/auth.ts → src/accounts/repository.ts was one until the session guard came
  // to depend on an accounts plugin that decorates the app, as fastify/demo does.)
];

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder)).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative import and re-export of a file, resolved to a repository path. */
function importsOf(file: string): Edge[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edges: Edge[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    const target = relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts');
    edges.push({ from: file, to: target, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

function layerOf(file: string): Layer | undefined {
  return LAYER_OF.find(([pattern]) => pattern.test(file))?.[1];
}

/** The import cycles (strongly connected components of more than one file, or a file importing itself). */
function cycles(files: readonly string[], edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>(files.map((file) => [file, []]));
  for (const edge of edges) next.get(edge.from)?.push(edge.to);
  // Tarjan's algorithm.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter++;
    stack.push(file);
    onStack.add(file);
    for (const target of next.get(file) ?? []) {
      if (!index.has(target)) {
        if (!next.has(target)) continue;
        connect(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (next.get(file) ?? []).includes(file)) found.push(component.sort());
    }
  };
  for (const file of files) if (!index.has(file)) connect(file);
  return found;
}

const files = [...sourceFiles('src'), ...sourceFiles('workers')].sort();
const edges = files.flatMap(importsOf);
const isPending = (edge: Edge) => PENDING.some((p) => p.from === edge.from && p.to === edge.to);

describe('the layers of the code', () => {
  it('place every file of src/ and workers/ in a layer', () => {
    expect(files.filter((file) => layerOf(file) === undefined)).toEqual([]);
  });

  it('import only downwards (or within their own layer), per the layer table', () => {
    const upward = edges
      .filter((edge) => edge.to.startsWith('src/') || edge.to.startsWith('workers/'))
      .filter((edge) => {
        const from = layerOf(edge.from)!;
        const to = layerOf(edge.to);
        return to !== undefined && to !== from && !MAY_IMPORT[from].includes(to) && !isPending(edge);
      })
      .map((edge) => `${edge.from} (${layerOf(edge.from)}) → ${edge.to} (${layerOf(edge.to)})`);
    expect(upward).toEqual([]);
  });

  it('keep the neighbours apart that must not meet', () => {
    const crossings = edges.flatMap((edge) => FORBIDDEN.filter((rule) => rule.from.test(edge.from) && rule.to.test(edge.to)).map((rule) => `${edge.from} → ${edge.to}: ${rule.why}`));
    expect(crossings).toEqual([]);
  });

  it('list only pending exceptions that still exist', () => {
    const stale = PENDING.filter((p) => !edges.some((edge) => edge.from === p.from && edge.to === p.to)).map((p) => `${p.from} → ${p.to} is gone: delete it from PENDING`);
    expect(stale).toEqual([]);
  });

  it('form a table that itself points one way (no two layers may import each other)', () => {
    const layers = Object.keys(MAY_IMPORT) as Layer[];
    const layerEdges = layers.flatMap((from) => MAY_IMPORT[from].map((to) => ({ from, to, typeOnly: false })));
    expect(cycles(layers, layerEdges)).toEqual([]);
  });

  it('have no import cycles between files, type-only imports included', () => {
    expect(cycles(files, edges)).toEqual([]);
  });

  it('import the sandbox only from the demo entry', () => {
    const sandboxImports = edges.filter((edge) => edge.to.startsWith('sandbox/') && edge.from !== 'src/demo.ts').map((edge) => `${edge.from} → ${edge.to}`);
    expect(sandboxImports).toEqual([]);
  });

  it('resolve every relative import to a file that exists', () => {
    const missing = edges.filter((edge) => {
      try {
        return !statSync(join(ROOT, edge.to)).isFile();
      } catch {
        return true;
      }
    });
    expect(missing.map((edge) => `${edge.from} → ${edge.to}`)).toEqual([]);
  });

  it('finds what it checks for: an upward import and a cycle in a made-up graph', () => {
    // The checks above pass on the real code; this shows they would not pass on broken code.
    const made: Edge[] = [
      { from: 'src/records/a.ts', to: 'src/sync/b.ts', typeOnly: true },
      { from: 'src/sync/b.ts', to: 'src/records/a.ts', typeOnly: false },
    ];
    expect(MAY_IMPORT[layerOf('src/records/a.ts')!].includes(layerOf('src/sync/b.ts')!)).toBe(false);
    expect(cycles(['src/records/a.ts', 'src/sync/b.ts'], made)).toEqual([['src/records/a.ts', 'src/sync/b.ts']]);
    expect(layerOf('src/portals/routes.ts')).toBe('http');
    expect(layerOf('src/portals/links.ts')).toBe('portals');
  });
});
