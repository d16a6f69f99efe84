import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_ALERT_RULES } from '../alerts/light.js';
import { DEFAULT_CAMERA } from '../camera.js';
import { UserError } from '../errors.js';
import { parseConnectionUrl } from '../mavlink/index.js';
import { ROLES, TOKEN_PATTERN } from '../server/index.js';
import { DEFAULT_ANALYSIS_FPS, DEFAULT_DB, DEFAULT_VIDEO_LATENCY_MS } from './options.js';

const cameraSchema = z.strictObject({
  widthPx: z.int().min(16).max(7680),
  heightPx: z.int().min(16).max(7680),
  hfovDeg: z.number().gt(0).lt(180),
});

const vehicleSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a name of letters, digits, . _ - (at most 64)'),
  connect: z.string().min(1),
  video: z.string().min(1).nullable().default(null),
  camera: cameraSchema.default(DEFAULT_CAMERA),
  videoLatencyMs: z.number().min(0).max(10_000).default(DEFAULT_VIDEO_LATENCY_MS),
  /** What `start` flies: a .plan / .waypoints, or a site file planned at start-up. */
  plan: z.string().min(1).optional(),
  sortie: z.int().min(1).default(1),
  /** Its MAVLink 2 signing key file (see `--signing-key`); none: an unsigned link. */
  signingKeyFile: z.string().min(1).optional(),
});

const DEFAULT_BLACKLIST = {
  confirmedAlerts: DEFAULT_ALERT_RULES.flagThreshold,
  windowDays: DEFAULT_ALERT_RULES.flagWindowS / 86_400,
};

const configSchema = z.strictObject({
  listen: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.int().min(0).max(65_535).default(8080),
    })
    .default({ host: '127.0.0.1', port: 8080 }),
  tokens: z
    .array(
      z.strictObject({
        token: z.string().regex(TOKEN_PATTERN, '16–256 characters from A-Z a-z 0-9 . _ ~ -'),
        role: z.enum(ROLES),
        name: z.string().optional(),
      }),
    )
    .min(1, 'at least one token: every request but /api/health needs one'),
  tileUrl: z.string().optional(),
  db: z.string().min(1).default(DEFAULT_DB),
  dataDir: z.string().min(1).default('patrols'),
  sites: z.array(z.string().min(1)).min(1),
  analysis: z.strictObject({ fps: z.number().gt(0).max(30) }).default({ fps: DEFAULT_ANALYSIS_FPS }),
  patrol: z
    .strictObject({
      minBatteryPct: z.number().min(0).max(100).default(50),
      reserveBatteryPct: z.number().min(0).max(100).default(25),
      linkLossWarnS: z.number().gt(0).max(600).default(5),
    })
    .default({ minBatteryPct: 50, reserveBatteryPct: 25, linkLossWarnS: 5 }),
  /** The ledger's blacklist rule: this many confirmed alerts within this many days flag a site. */
  blacklist: z
    .strictObject({
      confirmedAlerts: z.int().min(1).max(1_000_000).default(DEFAULT_BLACKLIST.confirmedAlerts),
      windowDays: z.number().min(0.001).max(36_500).default(DEFAULT_BLACKLIST.windowDays),
    })
    .default(DEFAULT_BLACKLIST),
  vehicles: z.array(vehicleSchema).min(1),
});

export type ServeConfig = z.infer<typeof configSchema>;

/** A config given in code, with the file's defaults filled in (paths as given). */
export function serveConfigOf(json: z.input<typeof configSchema>): ServeConfig {
  return configSchema.parse(json);
}

/**
 * The daemon's config file (JSON): where it listens, who may connect, the store, the sites and the
 * vehicles. Relative paths are taken from the file's folder. Every problem is one UserError naming
 * the file and the field.
 */
export function loadServeConfig(file: string): ServeConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: cannot read the config (${(err as NodeJS.ErrnoException).code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: not JSON (${(err as Error).message})`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new UserError(`${file}: ${where.replace(/^\./, '') || 'config'}: ${issue.message}`);
  }
  const config = parsed.data;
  const ids = config.vehicles.map((v) => v.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new UserError(`${file}: vehicles: the id '${twice}' is used twice`);
  // A malformed URL is refused here: the daemon would otherwise retry it forever as a silent vehicle.
  for (const [i, v] of config.vehicles.entries()) {
    try {
      parseConnectionUrl(v.connect);
    } catch (err) {
      if (err instanceof UserError) throw new UserError(`${file}: vehicles[${i}].connect: ${err.message}`);
      throw err;
    }
  }
  const dir = path.dirname(path.resolve(file));
  const from = (p: string) => path.resolve(dir, p);
  return {
    ...config,
    db: from(config.db),
    dataDir: from(config.dataDir),
    sites: config.sites.map(from),
    vehicles: config.vehicles.map((v) => ({
      ...v,
      plan: v.plan === undefined ? undefined : from(v.plan),
      signingKeyFile: v.signingKeyFile === undefined ? undefined : from(v.signingKeyFile),
    })),
  };
}
