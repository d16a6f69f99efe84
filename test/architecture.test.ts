import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';

/**
 * The module rules of docs/DESIGN.md, checked on the source: a module (a folder of src/, or one of its
 * top-level files) reaches another only through its index.ts, and no two modules depend on each other,
 * however indirectly.
 */
const SRC = path.join(REPO_ROOT, 'src');
const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm;

interface ModuleImport {
  file: string;
  fromModule: string;
  toModule: string;
  target: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The module a file of src/ belongs to: its top-level folder, or the file itself at the top. */
function moduleOf(file: string): string {
  const [first, ...rest] = path.relative(SRC, file).split(path.sep);
  return rest.length === 0 ? first.replace(/\.ts$/, '') : first;
}

function crossModuleImports(): ModuleImport[] {
  const imports: ModuleImport[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), match[1]).replace(/\.js$/, '.ts');
      if (!target.startsWith(SRC)) continue;
      const fromModule = moduleOf(file);
      const toModule = moduleOf(target);
      if (fromModule !== toModule) imports.push({ file, fromModule, toModule, target });
    }
  }
  return imports;
}

it('reaches other modules only through their index.ts', () => {
  const past = crossModuleImports()
    .filter(({ target, toModule }) => {
      // A folder module's index.ts, or the index.ts of a part it makes public (sim/camera/).
      const isFolderModule = fs.existsSync(path.join(SRC, toModule));
      return isFolderModule && path.basename(target) !== 'index.ts';
    })
    .map(({ file, target }) => `${path.relative(SRC, file)} → ${path.relative(SRC, target)}`);
  expect(past).toEqual([]);
});

it('has no cycle between modules', () => {
  const edges = new Map<string, Set<string>>();
  for (const { fromModule, toModule } of crossModuleImports()) {
    if (!edges.has(fromModule)) edges.set(fromModule, new Set());
    edges.get(fromModule)?.add(toModule);
  }
  // Depth-first search: a module met again on the current path closes a cycle.
  const cycles: string[] = [];
  const done = new Set<string>();
  const visit = (module: string, trail: string[]) => {
    if (trail.includes(module)) {
      cycles.push([...trail.slice(trail.indexOf(module)), module].join(' → '));
      return;
    }
    if (done.has(module)) return;
    for (const next of edges.get(module) ?? []) visit(next, [...trail, module]);
    done.add(module);
  };
  for (const module of edges.keys()) visit(module, []);
  expect(cycles).toEqual([]);
});
