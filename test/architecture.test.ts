import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';

/**
 * The module rules of docs/DESIGN.md, checked on the source: a module (a folder of src/, or one of its
 * top-level files) reaches another only through its index.ts (or its light.ts), no two modules depend
 * on each other, however indirectly, and what must start fast loads no heavy package.
 */
const SRC = path.join(REPO_ROOT, 'src');
/** Static imports and re-exports, and dynamic `import('…')` (a lazily loaded module is still a dependency). */
const IMPORTS = [/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm, /\bimport\(\s*'(\.[^']+)'\s*\)/g];
/** What runs when a file is loaded: static imports and re-exports that are not type-only, and bare imports. */
const LOADS = /^\s*(?:(?:import|export)(?!\s+type\b)\b[^'"]*?from\s+|import\s+)'([^']+)'/gm;

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
    for (const match of IMPORTS.flatMap((pattern) => [...text.matchAll(pattern)])) {
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
      // A folder module's index.ts, or the index.ts of a part it makes public (sim/camera/), or the
      // module's light.ts.
      const isFolderModule = fs.existsSync(path.join(SRC, toModule));
      const isLight = target === path.join(SRC, toModule, 'light.ts');
      return isFolderModule && path.basename(target) !== 'index.ts' && !isLight;
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

/** The packages (not node: built-ins) that loading `entry` loads, following its static imports in src/. */
function packagesLoadedBy(entry: string): string[] {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, specifier] of fs.readFileSync(file, 'utf8').matchAll(LOADS)) {
      if (specifier.startsWith('.'))
        visit(path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts'));
      else if (!specifier.startsWith('node:')) packages.add(specifier);
    }
  };
  visit(entry);
  return [...packages].sort();
}

it("loads no package from a module's light.ts", () => {
  const lights = fs
    .readdirSync(SRC)
    .map((name) => path.join(SRC, name, 'light.ts'))
    .filter((file) => fs.existsSync(file));
  expect(lights.length).toBeGreaterThan(0);
  for (const file of lights)
    expect({ file, packages: packagesLoadedBy(file) }).toEqual({ file, packages: [] });
});

it('starts the CLI loading no package but commander: each command loads the rest in its action', () => {
  expect(packagesLoadedBy(path.join(SRC, 'cli/main.ts'))).toEqual(['commander']);
});
