import { z } from 'zod';
import type {
  Alert,
  FootageCamera,
  FootageRange,
  IndexedView,
  Recording,
  Review,
  StoreStatus,
} from '../alerts/index.js';
import type { Role } from './auth.js';
import { type HubEvent, type PlanView, VEHICLE_COMMANDS, type VehicleSnapshot } from './hub.js';

/** The WebSocket protocol's version, sent in `hello`; bumped on any incompatible change. */
export const PROTOCOL_VERSION = 1;
/** The subprotocol a client may offer beside `bearer.TOKEN`; the server then selects it. */
export const WS_SUBPROTOCOL = 'dustpatrol.v1';

/** An alert as clients see it: no evidence bytes, but where to fetch the picture (token required). */
export type AlertView = Alert & { snapshotUrl: string };

/** A stretch of a recording that had the place asked about in view (GET /api/footage). */
export interface FootageRangeView {
  flightId: string;
  recordingId: number;
  /** The recording's video, with byte ranges (needs the token). */
  videoUrl: string;
  startUs: number;
  endUs: number;
  /** Seconds into the recording. */
  startOffsetS: number;
  endOffsetS: number;
  /** The largest share of the place in one view, 0–1. */
  viewShare: number;
}

/** A recording and its views of the ground, in order (GET /api/recordings/:id). */
export interface RecordingView {
  id: number;
  flightId: string;
  videoUrl: string;
  views: {
    startOffsetS: number;
    endOffsetS: number;
    startUs: number;
    endUs: number;
    /** The picture's ground footprint: a ring of [longitude, latitude], not closed. */
    footprint: [number, number][];
    camera: FootageCamera;
  }[];
}

/** A client's message id, echoed in the reply: a string of 1–64 characters or a safe integer. */
export type MessageId = string | number;

/** Server → client. Times are µs since the Unix epoch. */
export type ServerMessage =
  | {
      type: 'hello';
      protocol: typeof PROTOCOL_VERSION;
      role: Role;
      name: string;
      serverTimeUs: number;
      vehicles: VehicleSnapshot[];
      /** The store as it stands (unavailable: alerts held in memory until it takes writes again). */
      store: StoreStatus;
    }
  | { type: 'telemetry'; vehicle: VehicleSnapshot }
  | { type: 'alert'; change: 'created' | 'updated'; alert: AlertView }
  | { type: 'review'; review: Review; alert: AlertView }
  | { type: 'event'; vehicleId: string; level: 'info' | 'warning' | 'error'; text: string; timeUs: number }
  | { type: 'plan'; plan: PlanView }
  | Extract<HubEvent, { type: 'store' }>
  | { type: 'pong'; id: MessageId | null; serverTimeUs: number }
  | { type: 'result'; id: MessageId; ok: true; text: string }
  | { type: 'result'; id: MessageId; ok: false; error: string }
  | { type: 'error'; error: string; id?: MessageId };

const messageId = z.union([
  z.string().min(1).max(64),
  z
    .number()
    .int()
    .min(-(2 ** 53) + 1)
    .max(2 ** 53 - 1),
]);

const pingSchema = z.strictObject({ type: z.literal('ping'), id: messageId.optional() });
const commandSchema = z.strictObject({
  type: z.literal('command'),
  id: messageId,
  vehicleId: z.string().min(1).max(64),
  command: z.enum(VEHICLE_COMMANDS as [string, ...string[]]),
});

const SCHEMAS = { ping: pingSchema, command: commandSchema } as const;
export const CLIENT_MESSAGE_TYPES = Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[];

/** Client → server. */
export type ClientMessage =
  | { type: 'ping'; id?: MessageId }
  | { type: 'command'; id: MessageId; vehicleId: string; command: (typeof VEHICLE_COMMANDS)[number] };

export type ParsedClientMessage =
  | { ok: true; message: ClientMessage }
  | { ok: false; error: string; id?: MessageId };

/** Validates one client frame; a refusal says what is wrong without echoing the client's text back. */
export function parseClientMessage(data: Buffer, isBinary: boolean, maxBytes: number): ParsedClientMessage {
  if (isBinary) return { ok: false, error: 'binary frames are not accepted; send JSON text' };
  if (data.length > maxBytes) {
    return { ok: false, error: `message too big: ${data.length} bytes (at most ${maxBytes})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return { ok: false, error: 'not JSON: each message must be one JSON object' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'expected a JSON object with a "type" field' };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return { ok: false, error: `"type" must be a string, one of ${CLIENT_MESSAGE_TYPES.join(', ')}` };
  }
  if (!Object.hasOwn(SCHEMAS, type)) {
    const shown = type.length > 32 ? `${type.slice(0, 32)}…` : type;
    return {
      ok: false,
      error: `unknown message type ${JSON.stringify(shown)} (known: ${CLIENT_MESSAGE_TYPES.join(', ')})`,
    };
  }
  const result = SCHEMAS[type as keyof typeof SCHEMAS].safeParse(value);
  if (result.success) return { ok: true, message: result.data as ClientMessage };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  const id = messageId.safeParse((value as { id?: unknown }).id);
  return {
    ok: false,
    error: `bad ${type} message: ${where}${issue?.message ?? 'invalid'}`,
    ...(id.success ? { id: id.data } : {}),
  };
}

/** An alert for clients: evidence bytes left out (whatever the hub handed over), snapshot URL added. */
export function alertView(alert: Alert): AlertView {
  const view: Record<string, unknown> = { ...alert };
  delete view.evidenceJpeg;
  // The version in the URL changes when better evidence replaces the picture, so caches stay right.
  return {
    ...(view as unknown as Alert),
    snapshotUrl: `/api/alerts/${alert.id}/snapshot.jpg?v=${alert.updatedUs}`,
  };
}

/** Where the API serves a recording's video. */
function videoUrlOf(recordingId: number): string {
  return `/api/recordings/${recordingId}/video`;
}

export function footageRangeView(r: FootageRange): FootageRangeView {
  return {
    flightId: r.recording.flightId,
    recordingId: r.recording.id,
    videoUrl: videoUrlOf(r.recording.id),
    startUs: r.startUs,
    endUs: r.endUs,
    startOffsetS: r.startOffsetS,
    endOffsetS: r.endOffsetS,
    viewShare: r.viewShare,
  };
}

/** A recording without its path on the server's disk: clients fetch the video by its URL. */
export function recordingView(recording: Recording, views: IndexedView[]): RecordingView {
  return {
    id: recording.id,
    flightId: recording.flightId,
    videoUrl: videoUrlOf(recording.id),
    views: views.map((v) => ({
      startOffsetS: v.startOffsetS,
      endOffsetS: v.endOffsetS,
      startUs: v.startUs,
      endUs: v.endUs,
      footprint: v.footprint.map((p) => [p.lonDeg, p.latDeg] as [number, number]),
      camera: v.camera,
    })),
  };
}
