/** Every size, rate and time limit of the HTTP and WebSocket server, in one place. */
export const SERVER_LIMITS = {
  /** Largest HTTP request body (a command is a few dozen bytes), bytes: larger gets 413. */
  maxBodyBytes: 16 * 1024,
  /** A refused oversize body is read and thrown away up to this much, then the connection is cut, bytes. */
  maxDrainBytes: 1024 * 1024,
  /** Time to receive a whole request, headers included, ms. */
  requestTimeoutMs: 30_000,
  /** Time to receive the request headers, ms. */
  headersTimeoutMs: 15_000,
  /** Alerts one GET /api/alerts returns unless `limit` says otherwise, and the most it may ask for. */
  defaultAlertLimit: 500,
  maxAlertLimit: 10_000,
  /** Longest GeoJSON polygon a footage query takes in its `area` parameter, characters. */
  maxAreaParamChars: 8 * 1024,

  /** WebSocket clients served at once; one more is refused at upgrade with 503. */
  wsMaxClients: 64,
  /** Hard limit on one client message, bytes: larger closes the connection with 1009. */
  wsMaxPayloadBytes: 64 * 1024,
  /** Soft limit on one client message, bytes: larger gets an error reply (client messages are tiny). */
  wsMaxMessageBytes: 16 * 1024,
  /** Malformed messages one client may send within the window before it is closed with 1008. */
  wsMaxMalformed: 20,
  wsMalformedWindowMs: 10_000,
  /** Messages of any kind one client may send within the window before it is closed with 1008. */
  wsMaxMessages: 200,
  wsMessageWindowMs: 10_000,
  /** Telemetry per vehicle per client at most every this many ms (5 a second); the latest is always sent. */
  wsTelemetryIntervalMs: 200,
  /** Telemetry is held back while this much is queued for a client, bytes. */
  wsTelemetryBackpressureBytes: 1024 * 1024,
  /** A client this far behind (alerts and events are never skipped) is closed with 1013, bytes. */
  wsMaxBufferedBytes: 16 * 1024 * 1024,
  /** Protocol-level ping to every client this often; one that has not answered the last is dropped, ms. */
  wsHeartbeatMs: 30_000,
  /** A client closed by the server that does not finish the closing handshake is cut after this, ms. */
  wsCloseGraceMs: 2_000,
} as const;
