import { loadSiteFiles, type SiteSummary, summariseSites } from '../sites/index.js';

export async function checkSites(files: string[], opts: { json?: boolean }): Promise<void> {
  const summary = summariseSites(await loadSiteFiles(files));
  process.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
}

function formatSummary(s: SiteSummary): string {
  const risks = Object.entries(s.riskLevels)
    .sort(([, a], [, b]) => b - a)
    .map(([level, n]) => `${level} ${n}`)
    .join(', ');
  const rows: [string, string | number][] = [
    ['sites', s.sites],
    ['no-fly zones', s.noFlyZones],
    ['launch points', s.launchPoints],
    ['operating area', s.hasOperatingArea ? 'yes' : 'none'],
    ['total site area', `${s.totalAreaHa.toFixed(1)} ha`],
    ['largest site', `${s.largestSite.id} (${s.largestSite.areaHa.toFixed(2)} ha)`],
    ['smallest site', `${s.smallestSite.id} (${s.smallestSite.areaHa.toFixed(2)} ha)`],
    ['contractors', s.contractors],
    ['risk levels', risks],
    ['warnings', s.warnings.length],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  const warnings = s.warnings.map((w) => `warning: ${w}`);
  return `${[`${s.sources.join(', ')}: ok`, ...lines, ...warnings].join('\n')}\n`;
}
