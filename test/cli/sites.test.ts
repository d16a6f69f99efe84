import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerSites } from '../../src/cli/sites.js';
import { UserError } from '../../src/errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs `dustpatrol sites ARGS` in this process; returns what it printed. */
async function sites(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerSites(program);
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  await program.parseAsync(['node', 'dustpatrol', 'sites', ...args]);
  return out;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('dustpatrol sites check', () => {
  it('summarises a site file as a short table', async () => {
    const out = await sites(['check', path.join(ROOT, 'missions/demo-sites.geojson')]);
    expect(out).toContain('missions/demo-sites.geojson: ok');
    expect(out).toMatch(/^sites\s+5$/m);
    expect(out).toMatch(/^no-fly zones\s+1$/m);
    expect(out).toMatch(/^launch points\s+1$/m);
    expect(out).toMatch(/^largest site\s+D-05 \(3\.92 ha\)$/m);
    expect(out).toMatch(/^risk levels\s+high 2, medium 2, low 1$/m);
    expect(out).toMatch(/^warnings\s+0$/m);
  });

  it('prints the summary as JSON with --json', async () => {
    const out = await sites(['check', path.join(ROOT, 'fixtures/sites/small-sites.geojson'), '--json']);
    expect(JSON.parse(out)).toMatchObject({ sites: 4, launchPoints: 1, hasOperatingArea: false });
  });

  it('fails with one error naming the file and the feature', async () => {
    const file = path.join(ROOT, 'fixtures/sites/bad/swapped.kml');
    await expect(sites(['check', file])).rejects.toThrow(UserError);
    await expect(sites(['check', file])).rejects.toThrow(`${file}: feature 0 (id 'S-1'): ring 0 point 0`);
  });
});
