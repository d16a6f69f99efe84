import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  alertCode,
  contractorLedger,
  DISMISS_REASONS,
  type FootagePlace,
  findFootage,
  parseAlertRef,
  REVIEW_STATES,
  type Recording,
  type ReviewInput,
  type ReviewState,
  reviewInputOfBody,
  siteLedger,
} from '../alerts/index.js';
import { IoError, UserError } from '../errors.js';
import { areaFromGeoJson } from '../sites/index.js';
import {
  authenticate,
  credentialOf,
  type Principal,
  type Role,
  roleAtLeast,
  type TokenTable,
} from './auth.js';
import { sendVideoFile } from './file-range.js';
import { COMMON_HEADERS, HttpError, readJsonBody, sendJson } from './http-util.js';
import { type PatrolHub, VEHICLE_COMMANDS, type VehicleCommand } from './hub.js';
import { SERVER_LIMITS } from './limits.js';
import { alertView, footageRangeView, PROTOCOL_VERSION, recordingView } from './messages.js';
import { checkParams, numberParam, textParam, timeParam } from './query.js';

const S_PER_DAY = 86_400;
const US_PER_MS = 1000;

/** The blacklist rule the ledger applies unless a request says otherwise. */
export interface LedgerRule {
  /** Confirmed alerts within the window that flag a site. */
  confirmedAlerts: number;
  windowDays: number;
}

export interface ApiContext {
  hub: PatrolHub;
  tokens: TokenTable;
  tileUrl: string | null;
  startedAtMs: number;
  blacklist: LedgerRule;
}

interface Request {
  req: IncomingMessage;
  url: URL;
  params: string[];
  principal: Principal;
}

/** JSON, an evidence picture, or a recording's video (a file the store knows, sent in the ranges asked for). */
type Reply = { status?: number; json: unknown } | { jpeg: Buffer } | { videoFile: string };

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** Who may call it: anyone (no token), or a token of this role or above (a pilot may all a reviewer may). */
  access: 'public' | Role;
  /** Accepts `?token=` (for an <img> or a <video>), besides the header. */
  queryToken?: boolean;
  /** Query parameters it takes ('token' included where allowed). */
  query?: readonly string[];
  handle(ctx: ApiContext, r: Request): Reply | Promise<Reply>;
}

const COMMAND_LIST = VEHICLE_COMMANDS.join(', ');

/** The command in a POST body, or a 400 naming exactly what is wrong with the body. */
function commandOf(body: unknown): VehicleCommand {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, `body: expected a JSON object {"command": ...} with one of ${COMMAND_LIST}`);
  }
  const extra = Object.keys(body).filter((k) => k !== 'command');
  if (extra.length > 0) throw new HttpError(400, `body: unknown field ${JSON.stringify(extra[0])}`);
  const { command } = body as { command?: unknown };
  if (command === undefined) throw new HttpError(400, `body.command: missing (one of ${COMMAND_LIST})`);
  if (typeof command !== 'string' || !(VEHICLE_COMMANDS as readonly string[]).includes(command)) {
    const shown = typeof command === 'string' ? JSON.stringify(command.slice(0, 32)) : typeof command;
    throw new HttpError(400, `body.command: ${shown} is not a command (one of ${COMMAND_LIST})`);
  }
  return command as VehicleCommand;
}

const ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: /^\/api\/health$/,
    access: 'public',
    handle: (ctx) => {
      // The counts only: the failure's text names files, which is for those with a token (WebSocket).
      const { available, heldAlerts, heldRecords, evidenceDropped } = ctx.hub.storeStatus();
      return {
        json: {
          ok: true,
          vehicles: ctx.hub.vehicles().length,
          uptimeS: Math.round((performance.now() - ctx.startedAtMs) / 1000),
          store: { available, heldAlerts, heldRecords, evidenceDropped },
        },
      };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/config$/,
    access: 'viewer',
    handle: (ctx, r) => ({
      json: {
        role: r.principal.role,
        name: r.principal.name,
        tileUrl: ctx.tileUrl,
        protocol: PROTOCOL_VERSION,
        /** The commands a pilot may send, for the page's buttons. */
        commands: VEHICLE_COMMANDS,
        /** Whether this token may review alerts, and the reasons a dismissal may give. */
        mayReview: roleAtLeast(r.principal.role, 'reviewer'),
        dismissReasons: DISMISS_REASONS,
        blacklist: ctx.blacklist,
      },
    }),
  },
  {
    method: 'GET',
    pattern: /^\/api\/vehicles$/,
    access: 'viewer',
    handle: (ctx) => ({ json: ctx.hub.vehicles() }),
  },
  {
    method: 'GET',
    pattern: /^\/api\/plans$/,
    access: 'viewer',
    handle: (ctx) => ({ json: ctx.hub.plans() }),
  },
  {
    method: 'GET',
    pattern: /^\/api\/sites$/,
    access: 'viewer',
    handle: (ctx) => ({ json: ctx.hub.sitesGeoJson() }),
  },
  {
    method: 'GET',
    pattern: /^\/api\/flights$/,
    access: 'viewer',
    handle: (ctx) => ({ json: ctx.hub.flights() }),
  },
  {
    method: 'GET',
    pattern: /^\/api\/alerts$/,
    access: 'viewer',
    query: ['site', 'contractor', 'since', 'until', 'flight', 'state', 'limit'],
    handle: (ctx, { url }) => {
      const limit =
        numberParam(url, 'limit', 1, SERVER_LIMITS.maxAlertLimit, true) ?? SERVER_LIMITS.defaultAlertLimit;
      const state = stateParam(url);
      const alerts = ctx.hub.store.listAlerts({
        siteId: textParam(url, 'site'),
        contractor: textParam(url, 'contractor'),
        sinceUs: timeParam(url, 'since', false),
        untilUs: timeParam(url, 'until', true),
        flightId: textParam(url, 'flight'),
        reviewStates: state === undefined ? undefined : [state],
      });
      // The store lists oldest first; a monitor wants the newest, so the limit keeps the newest.
      alerts.sort((a, b) => b.firstSeenUs - a.firstSeenUs || b.id - a.id);
      return { json: alerts.slice(0, limit).map(alertView) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/alerts\/([^/]+)$/,
    access: 'viewer',
    handle: (ctx, { params }) => {
      const id = alertId(params[0] as string);
      const alert = ctx.hub.store.getAlert(id);
      if (!alert) throw new HttpError(404, `no alert ${params[0]}`);
      return { json: alertView(alert) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/alerts\/([^/]+)\/snapshot\.jpg$/,
    access: 'viewer',
    queryToken: true,
    query: ['token', 'v'],
    handle: (ctx, { params }) => {
      const jpeg = ctx.hub.store.evidenceJpeg(alertId(params[0] as string));
      if (!jpeg) throw new HttpError(404, `no alert ${params[0]}`);
      return { jpeg };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/alerts\/([^/]+)\/reviews$/,
    access: 'viewer',
    handle: (ctx, { params }) => {
      const id = alertId(params[0] as string);
      const alert = ctx.hub.store.getAlert(id);
      if (!alert) throw new HttpError(404, `no alert ${params[0]}`);
      // Oldest first: the last one stands.
      return {
        json: { alert: alert.code, reviewState: alert.reviewState, reviews: ctx.hub.store.reviewsOf(id) },
      };
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/alerts\/([^/]+)\/reviews$/,
    access: 'reviewer',
    handle: async (ctx, { req, params, principal }) => {
      const id = alertId(params[0] as string);
      const input = reviewOf(await readJsonBody(req));
      if (!ctx.hub.store.getAlert(id)) throw new HttpError(404, `no alert ${params[0]}`);
      try {
        const { review, alert, superseded } = ctx.hub.review(id, input, {
          reviewer: principal.name,
          role: principal.role,
          via: 'api',
        });
        return { status: 201, json: { review, alert: alertView(alert), superseded } };
      } catch (err) {
        // A review is never held: the reviewer must know it was not kept, and may send it again.
        if (err instanceof IoError)
          throw new HttpError(503, `review of ${alertCode(id)} not kept: ${err.message}`);
        if (err instanceof UserError) throw new HttpError(409, err.message);
        throw err;
      }
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/ledger$/,
    access: 'viewer',
    query: ['threshold', 'windowDays', 'until', 'sites'],
    handle: (ctx, { url }) => {
      const threshold = numberParam(url, 'threshold', 1, 1e6, true) ?? ctx.blacklist.confirmedAlerts;
      const windowDays = numberParam(url, 'windowDays', 0.001, 36_500, false) ?? ctx.blacklist.windowDays;
      const untilUs = timeParam(url, 'until', true) ?? Date.now() * US_PER_MS;
      const which = textParam(url, 'sites');
      if (which !== undefined && which !== 'all') {
        throw new HttpError(
          400,
          'sites: expected "all" (every site the store knows) or nothing (those with alerts or patrols)',
        );
      }
      const sites = siteLedger(ctx.hub.store, {
        confirmedAlerts: threshold,
        windowS: windowDays * S_PER_DAY,
        untilUs,
        sites: which === 'all' ? ctx.hub.store.storedSites() : undefined,
      });
      return { json: { threshold, windowDays, untilUs, sites, contractors: contractorLedger(sites) } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/footage$/,
    access: 'viewer',
    query: ['site', 'area', 'at', 'since', 'until'],
    handle: (ctx, { url }) => {
      const sinceUs = timeParam(url, 'since', false);
      const untilUs = timeParam(url, 'until', true);
      if (sinceUs !== undefined && untilUs !== undefined && sinceUs > untilUs) {
        throw new HttpError(400, 'since: after until');
      }
      const ranges = findFootage(ctx.hub.store.footage, placeOf(ctx, url), { sinceUs, untilUs });
      return { json: ranges.map(footageRangeView) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/recordings\/([^/]+)$/,
    access: 'viewer',
    handle: (ctx, { params }) => {
      const recording = recordingOf(ctx, params[0] as string);
      return { json: recordingView(recording, ctx.hub.store.footage.views(recording.id)) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/recordings\/([^/]+)\/video$/,
    access: 'viewer',
    queryToken: true,
    query: ['token'],
    handle: (ctx, { params }) => ({ videoFile: recordingOf(ctx, params[0] as string).path }),
  },
  {
    method: 'POST',
    pattern: /^\/api\/vehicles\/([^/]+)\/commands$/,
    access: 'pilot',
    handle: async (ctx, { req, params }) => {
      const vehicleId = decodeSegment(params[0] as string);
      const command = commandOf(await readJsonBody(req));
      if (!ctx.hub.vehicles().some((v) => v.id === vehicleId)) {
        throw new HttpError(404, `no vehicle ${JSON.stringify(vehicleId)}`);
      }
      try {
        const text = await ctx.hub.command(vehicleId, command);
        return { json: { ok: true, vehicleId, command, text } };
      } catch (err) {
        if (err instanceof UserError) throw new HttpError(409, err.message);
        throw err;
      }
    },
  },
];

/** The review in a POST body, or a 400 naming exactly what is wrong with it. */
function reviewOf(body: unknown): ReviewInput {
  try {
    return reviewInputOfBody(body);
  } catch (err) {
    if (err instanceof UserError) throw new HttpError(400, err.message);
    throw err;
  }
}

function stateParam(url: URL): ReviewState | undefined {
  const value = url.searchParams.get('state');
  if (value === null) return undefined;
  if (!(REVIEW_STATES as readonly string[]).includes(value)) {
    throw new HttpError(
      400,
      `state: expected one of ${REVIEW_STATES.join(', ')}, got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return value as ReviewState;
}

function alertId(text: string): number {
  const id = parseAlertRef(decodeSegment(text));
  if (id === null) throw new HttpError(400, 'not an alert id (expected 123 or A-000123)');
  return id;
}

/** The footage query's place: one of `site` (a stored site's id), `area` (GeoJSON) or `at` (LAT,LON). */
function placeOf(ctx: ApiContext, url: URL): FootagePlace {
  const given = ['site', 'area', 'at'].filter((name) => url.searchParams.has(name));
  if (given.length !== 1) {
    throw new HttpError(
      400,
      `give exactly one of site, area or at (got ${given.length === 0 ? 'none' : given.join(', ')})`,
    );
  }
  const site = textParam(url, 'site');
  if (site !== undefined) {
    const stored = ctx.hub.store.storedSites().find((s) => s.id === site);
    if (!stored) throw new HttpError(404, `no site ${JSON.stringify(site)}`);
    return { kind: 'area', geometry: stored.geometry };
  }
  const at = textParam(url, 'at', 64);
  if (at !== undefined) {
    const [latDeg, lonDeg, ...rest] = at.split(',').map((p) => (p.trim() === '' ? Number.NaN : Number(p)));
    if (rest.length > 0 || !(Math.abs(latDeg) <= 90) || !(Math.abs(lonDeg) <= 180)) {
      throw new HttpError(400, `at: expected LAT,LON in degrees, got ${JSON.stringify(at.slice(0, 40))}`);
    }
    return { kind: 'point', latDeg, lonDeg };
  }
  const text = textParam(url, 'area', SERVER_LIMITS.maxAreaParamChars) as string;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'area: not JSON (expected a GeoJSON Polygon or MultiPolygon)');
  }
  try {
    return { kind: 'area', geometry: areaFromGeoJson(value, 'area') };
  } catch (err) {
    if (err instanceof UserError) throw new HttpError(400, err.message);
    throw err;
  }
}

/** A recording the footage index knows, by its id: the only way a file is named to the API. */
function recordingOf(ctx: ApiContext, text: string): Recording {
  const id = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id)) throw new HttpError(400, 'not a recording id (expected a whole number)');
  const recording = ctx.hub.store.footage.recording(id);
  if (!recording) throw new HttpError(404, `no recording ${id}`);
  return recording;
}

function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the path');
  }
}

/** What the API did with a request, for the log. */
export interface ApiOutcome {
  principal: Principal | null;
}

/**
 * Answers one /api request (the caller has checked the prefix). Throws HttpError for a refusal; the
 * caller turns it into the JSON error reply and the log line.
 */
export async function handleApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  outcome: ApiOutcome,
): Promise<void> {
  const matching = ROUTES.map((route) => ({ route, m: route.pattern.exec(url.pathname) })).filter((x) => x.m);
  if (matching.length === 0) throw new HttpError(404, 'no such endpoint');
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const hit = matching.find((x) => x.route.method === method);
  if (!hit) {
    const allow = [...new Set(matching.map((x) => x.route.method))].join(', ');
    throw new HttpError(405, `method ${req.method} not allowed here (allowed: ${allow})`, { Allow: allow });
  }
  const { route, m } = hit as { route: Route; m: RegExpExecArray };

  let principal: Principal = { role: 'viewer', name: 'anonymous' };
  if (route.access !== 'public') {
    const who = authenticate(ctx.tokens, credentialOf(req, url, route.queryToken === true));
    if ('problem' in who) throw new HttpError(401, who.problem, { 'WWW-Authenticate': 'Bearer' });
    principal = who;
    outcome.principal = who;
    if (!roleAtLeast(who.role, route.access)) {
      const needed =
        route.access === 'reviewer' ? 'reviewer or pilot role needed' : `${route.access} role needed`;
      throw new HttpError(403, `${who.role} ${JSON.stringify(who.name)} may not do this (${needed})`);
    }
  }
  checkParams(url, route.query ?? []);

  const reply = await route.handle(ctx, { req, url, params: m.slice(1), principal });
  if ('videoFile' in reply) {
    await sendVideoFile(req, res, reply.videoFile);
    return;
  }
  if ('jpeg' in reply) {
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': 'image/jpeg',
      'Content-Length': String(reply.jpeg.length),
      // Versioned URL (?v=updatedUs): a browser may keep it, no shared cache may.
      'Cache-Control': 'private, max-age=3600',
    });
    res.end(req.method === 'HEAD' ? undefined : reply.jpeg);
    return;
  }
  sendJson(res, reply.status ?? 200, reply.json);
}
