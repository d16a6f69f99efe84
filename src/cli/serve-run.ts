import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { loadPatrolPlan, type SortiePlan } from '../fleet/index.js';
import { loadSigningKey } from '../mavlink/index.js';
import { planSettings } from '../plan/index.js';
import { startServer } from '../server/index.js';
import { loadSiteFiles } from '../sites/index.js';
import { openFleet } from './fleet-setup.js';
import { guardProcess } from './process-guard.js';
import { loadServeConfig, type ServeConfig, serveConfigOf } from './serve-config.js';

const DEMO_SITES = fileURLToPath(new URL('../../missions/demo-sites.geojson', import.meta.url));

export async function runServe(configFile?: string): Promise<void> {
  const config = configFile ? loadServeConfig(configFile) : defaultConfig();
  const log = (level: string, text: string) =>
    process.stderr.write(`${new Date().toISOString()} ${level.padEnd(7)} ${text}\n`);
  // From here on no fault of one part ends the daemon: the vehicles it follows stay followed.
  const unguard = guardProcess((line, stack) => log('error', `${line}\n${indent(stack)}`));
  const registry = await fromConfig(configFile, 'sites', () => loadSiteFiles(config.sites));
  const plans = new Map<string, SortiePlan>();
  for (const [i, v] of config.vehicles.entries()) {
    const file = v.plan;
    if (!file) continue;
    // Planned for this vehicle's camera and the reserve its patrols keep.
    const settings = planSettings({
      cameraHfovDeg: v.camera.hfovDeg,
      reservePct: config.patrol.reserveBatteryPct,
    });
    const load = () => loadPatrolPlan(file, { settings, sortie: v.sortie });
    plans.set(v.id, await fromConfig(configFile, `vehicles[${i}].plan`, load));
  }
  const vehicles = config.vehicles.map((v, i) => {
    const file = v.signingKeyFile;
    if (!file) return v;
    const { key, warning } = fromConfigNow(configFile, `vehicles[${i}].signingKeyFile`, () =>
      loadSigningKey(file),
    );
    if (warning) log('warning', warning);
    return { ...v, signingKey: key };
  });
  const opened = await openFleet({
    registry,
    db: config.db,
    dataDir: config.dataDir,
    vehicles,
    plans,
    analysisFps: config.analysis.fps,
    patrol: {
      minBatteryPct: config.patrol.minBatteryPct,
      reserveBatteryPct: config.patrol.reserveBatteryPct,
      linkLossWarnAfterS: config.patrol.linkLossWarnS,
    },
    log,
  });
  const server = await startServer({
    hub: opened.fleet,
    host: config.listen.host,
    port: config.listen.port,
    tokens: config.tokens,
    tileUrl: config.tileUrl,
    blacklist: config.blacklist,
    log,
  });
  process.stdout.write(
    `dustpatrol serving ${server.url} (${config.vehicles.length} vehicle(s), store ${config.db})\n`,
  );
  if (!configFile) process.stdout.write(`dashboard: ${server.url}/?token=${config.tokens[0].token}\n`);

  // Runs until told to stop; the vehicles fly on and a restarted daemon picks their patrols up.
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('info', 'stopping: vehicles in the air fly on; a restart follows them again');
  await server.close();
  await opened.close();
  unguard();
}

function indent(stack: string): string {
  return stack
    .split('\n')
    .map((l) => `    ${l.trimStart()}`)
    .join('\n');
}

/** Loads a file the config names; its problem is told as the config's, naming the config file and field. */
async function fromConfig<T>(
  configFile: string | undefined,
  field: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (err) {
    throw asConfigError(configFile, field, err);
  }
}

/** `fromConfig` for a file read at once. */
function fromConfigNow<T>(configFile: string | undefined, field: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    throw asConfigError(configFile, field, err);
  }
}

function asConfigError(configFile: string | undefined, field: string, err: unknown): unknown {
  if (configFile && err instanceof UserError)
    return new UserError(`${configFile}: ${field}: ${err.message}`, err.exitCode);
  return err;
}

/** Without --config: the demo sites and one vehicle where a simulator or SITL talks by default. */
function defaultConfig(): ServeConfig {
  return serveConfigOf({
    tokens: [{ token: randomBytes(16).toString('hex'), role: 'pilot', name: 'console' }],
    sites: [DEMO_SITES],
    vehicles: [
      { id: 'drone-1', connect: 'udpin://127.0.0.1:14550', video: 'udp://127.0.0.1:5600', plan: DEMO_SITES },
    ],
  });
}
