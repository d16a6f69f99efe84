// dustpatrol patrol monitor: a plain browser module (no bundler) over the daemon's /api and /ws.
// Every text from the server goes into the page as text, never as HTML.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';

const TOKEN_KEY = 'dustpatrol.token';
const RECONNECT_MIN_MS = 1000;
const RECONNECT_MAX_MS = 30_000;
const PING_EVERY_MS = 25_000;
const LEDGER_REFRESH_MS = 300_000;
const LEDGER_DEBOUNCE_MS = 1500;
const TRACK_POINTS_KEPT = 3000;
const TRACK_MIN_STEP_M = 1;
const STALE_AFTER_S = 5;
const EVENTS_KEPT = 60;
const ALERTS_SHOWN = 500;
const ALERT_ZOOM = 18;
/** Token characters a Sec-WebSocket-Protocol value can carry (the server's token alphabet). */
const PROTOCOL_SAFE = /^[A-Za-z0-9._~-]+$/;

const SITE_STYLE = {
  high: { color: '#7d3c98', fillColor: '#c39bd3' },
  medium: { color: '#a8741a', fillColor: '#f2cc8f' },
  low: { color: '#3d6e8a', fillColor: '#9cc5d9' },
  unknown: { color: '#5c6b73', fillColor: '#b8c4cc' },
};
const SEVERITY_COLOUR = { low: '#d4a017', medium: '#e07020', high: '#c0271e' };
/** Commands that change what a vehicle does in a big way are confirmed first. */
const CONFIRM = {
  start: (id) => `Start the patrol of ${id}? It arms and takes off.`,
  abort: (id) => `Abort the patrol of ${id}? It returns to launch.`,
};

const $ = (selector) => document.querySelector(selector);

const state = {
  token: null,
  role: 'viewer',
  /** The commands a pilot may send, as the server lists them. */
  commands: [],
  /** Whether this token may confirm or dismiss alerts, and the reasons a dismissal may give. */
  mayReview: false,
  dismissReasons: [],
  /** vehicleId → { snapshot, receivedAtMs, card, marker, track } */
  vehicles: new Map(),
  /** alertId → alert */
  alerts: new Map(),
  alertLayers: new Map(),
  routeLayers: new Map(),
  selectedAlertId: null,
  evidenceUrl: null,
  ws: null,
  reconnectAttempts: 0,
  ledgerTimer: null,
};

// ---------- small helpers ----------

/** An element with attributes and children (strings become text nodes). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

const pad = (n) => String(n).padStart(2, '0');

/** Local time `2024-05-03 16:00:05` for µs since the epoch. */
function localTime(us) {
  if (us === null || us === undefined) return '—';
  const d = new Date(us / 1000);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

const utcTitle = (us) => (us === null || us === undefined ? '' : new Date(us / 1000).toISOString());

function fixed(value, digits, unit = '') {
  return value === null || value === undefined ? '—' : `${value.toFixed(digits)}${unit}`;
}

function notice(text) {
  const p = $('#notice');
  p.textContent = text ?? '';
  p.hidden = !text;
}

/**
 * The store's state: while it takes no writes (a full disk, a lock), a red line saying how many alerts
 * the daemon holds in memory; hidden while it is available.
 */
function showStore(status) {
  const p = $('#store-status');
  if (!status || status.available) {
    p.hidden = true;
    p.textContent = '';
    return;
  }
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [`store unavailable: ${plural(status.heldAlerts, 'alert')} held`];
  if (status.heldRecords > 0) parts.push(`${plural(status.heldRecords, 'patrol record')} held`);
  if (status.evidenceDropped > 0) parts.push(`${plural(status.evidenceDropped, 'evidence image')} dropped`);
  p.textContent = parts.join(', ');
  p.title = status.reason ?? '';
  p.hidden = false;
}

function setLink(stateName, text) {
  const s = $('#link-status');
  s.dataset.state = stateName;
  s.textContent = text;
}

/** Keeps the token from `?token=` for this tab and takes it out of the address bar. */
function takeToken() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', `${url.pathname}${url.search}${url.hash}`);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, init = {}) {
  const res = await fetch(path, {
    ...init,
    headers: { ...init.headers, Authorization: `Bearer ${state.token}` },
  });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = (await res.json()).error ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, message);
  }
  return res;
}

const getJson = async (path) => (await api(path)).json();

// ---------- map ----------

// A view from the start, so layers get their SVG elements as they are added; fitted to the sites later.
const map = L.map('map', { zoomControl: true, attributionControl: false, zoomSnap: 0.5 }).setView([0, 0], 2);
L.control.scale({ imperial: false, maxWidth: 160 }).addTo(map);
const layers = {
  area: L.layerGroup().addTo(map),
  sites: L.layerGroup().addTo(map),
  noFly: L.layerGroup().addTo(map),
  routes: L.layerGroup().addTo(map),
  tracks: L.layerGroup().addTo(map),
  alerts: L.layerGroup().addTo(map),
  drones: L.layerGroup().addTo(map),
};

/** Leaflet lat/lngs for a GeoJSON geometry, or null for a kind not drawn as a path. */
function latLngsOf(geometry) {
  const depth = { LineString: 0, MultiLineString: 1, Polygon: 1, MultiPolygon: 2 }[geometry?.type];
  return depth === undefined ? null : L.GeoJSON.coordsToLatLngs(geometry.coordinates, depth);
}

/** Sets data attributes on a vector layer's SVG element, for tests and styling. */
function tag(layer, data) {
  const element = layer.getElement?.();
  if (!element) return;
  for (const [key, value] of Object.entries(data)) element.setAttribute(`data-${key}`, value);
}

function siteLabel(props) {
  return el(
    'div',
    {},
    el('strong', { text: props.id ?? '' }),
    ` ${props.name ?? ''}`,
    el('br'),
    props.contractor ? `${props.contractor}` : 'no contractor given',
    props.risk ? el('br') : null,
    props.risk ? `risk: ${props.risk}` : null,
  );
}

function drawSites(collection) {
  for (const group of [layers.area, layers.sites, layers.noFly]) group.clearLayers();
  const bounds = L.latLngBounds([]);
  let areaBounds = null;
  for (const feature of collection.features ?? []) {
    const props = feature.properties ?? {};
    const kind = props.kind ?? 'site';
    if (kind === 'launch') {
      const [lon, lat] = feature.geometry?.coordinates ?? [];
      if (typeof lat !== 'number') continue;
      const marker = L.circleMarker([lat, lon], {
        radius: 5,
        className: 'launch',
        color: '#2d3436',
        fillColor: '#ffffff',
        fillOpacity: 1,
        weight: 2,
      }).bindTooltip(el('span', { text: `launch ${props.id ?? ''} ${props.name ?? ''}` }));
      layers.sites.addLayer(marker);
      tag(marker, { 'launch-id': props.id ?? '' });
      continue;
    }
    const latLngs = latLngsOf(feature.geometry);
    if (!latLngs) continue;
    if (kind === 'operating-area') {
      const area = L.polygon(latLngs, {
        className: 'operating-area',
        color: '#4a5560',
        weight: 2,
        dashArray: '8 6',
        fill: false,
        interactive: false,
      });
      layers.area.addLayer(area);
      areaBounds = area.getBounds();
    } else if (kind === 'no-fly') {
      const zone = L.polygon(latLngs, {
        className: 'no-fly',
        color: '#d0021b',
        fillColor: '#ff3b30',
        fillOpacity: 0.28,
        weight: 3,
        dashArray: '2 5',
      }).bindTooltip(el('span', { text: `no-fly: ${props.name ?? props.id ?? ''}` }), {
        permanent: true,
        direction: 'center',
        className: 'no-fly-label',
      });
      layers.noFly.addLayer(zone);
      tag(zone, { 'zone-id': props.id ?? '' });
    } else if (kind === 'site') {
      const risk = SITE_STYLE[props.risk] ? props.risk : 'unknown';
      const site = L.polygon(latLngs, {
        className: `site risk-${risk}`,
        ...SITE_STYLE[risk],
        fillOpacity: 0.35,
        weight: 2,
      })
        .bindTooltip(el('span', { class: 'site-id', text: props.id ?? '' }), {
          permanent: true,
          direction: 'center',
          className: 'site-label',
        })
        .bindPopup(siteLabel(props));
      layers.sites.addLayer(site);
      tag(site, { 'site-id': props.id ?? '' });
      bounds.extend(site.getBounds());
    }
  }
  const target = bounds.isValid() ? bounds : areaBounds;
  if (target?.isValid()) map.fitBounds(target.pad(0.08));
  else map.setView([0, 0], 2);
}

function waypointIcon(number) {
  return L.divIcon({
    className: 'waypoint',
    html: el('span', { text: String(number) }),
    iconSize: [20, 20],
    iconAnchor: [10, 10],
  });
}

function drawPlan(plan) {
  let group = state.routeLayers.get(plan.vehicleId);
  if (!group) {
    group = L.layerGroup().addTo(layers.routes);
    state.routeLayers.set(plan.vehicleId, group);
  }
  group.clearLayers();
  let n = 0;
  for (const feature of plan.route?.features ?? []) {
    const geometry = feature.geometry;
    const props = feature.properties ?? {};
    if (geometry?.type === 'LineString' || geometry?.type === 'MultiLineString') {
      const line = L.polyline(latLngsOf(geometry), {
        className: 'route',
        color: '#1d4e89',
        weight: 3,
        opacity: 0.85,
        dashArray: '10 6',
        interactive: false,
      });
      group.addLayer(line);
      tag(line, { 'vehicle-id': plan.vehicleId });
    } else if (geometry?.type === 'Point' && props.kind !== 'launch') {
      n++;
      const [lon, lat] = geometry.coordinates;
      const number = props.seq ?? props.index ?? n;
      const marker = L.marker([lat, lon], {
        icon: waypointIcon(number),
        interactive: false,
        keyboard: false,
      });
      group.addLayer(marker);
    }
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function droneIcon(vehicleId) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '-14 -14 28 28');
  svg.setAttribute('width', '28');
  svg.setAttribute('height', '28');
  svg.setAttribute('class', 'drone-arrow');
  // A light disc under the arrow keeps it readable over sites, routes and tiles alike.
  const disc = document.createElementNS(SVG_NS, 'circle');
  disc.setAttribute('r', '13');
  disc.setAttribute('class', 'drone-disc');
  const arrow = document.createElementNS(SVG_NS, 'path');
  arrow.setAttribute('d', 'M0,-11 L7.5,9 L0,4.5 L-7.5,9 Z');
  svg.append(disc, arrow);
  const label = el('span', { class: 'drone-label', text: vehicleId });
  return L.divIcon({
    className: 'drone',
    html: el('div', { 'data-vehicle-id': vehicleId }, svg, label),
    iconSize: [28, 28],
    iconAnchor: [14, 14],
  });
}

function moveDrone(entry, v) {
  if (v.latDeg === null || v.lonDeg === null) return;
  const position = L.latLng(v.latDeg, v.lonDeg);
  if (!entry.marker) {
    entry.marker = L.marker(position, { icon: droneIcon(v.id), keyboard: false, zIndexOffset: 1000 })
      .bindTooltip(el('span', { text: v.id }))
      .addTo(layers.drones);
    entry.track = L.polyline([], {
      className: 'track',
      color: '#263238',
      weight: 2,
      opacity: 0.9,
      interactive: false,
    }).addTo(layers.tracks);
    tag(entry.track, { 'vehicle-id': v.id });
  } else {
    entry.marker.setLatLng(position);
  }
  const arrow = entry.marker.getElement()?.querySelector('.drone-arrow');
  if (arrow) arrow.style.transform = `rotate(${v.headingDeg ?? 0}deg)`;
  const points = entry.track.getLatLngs();
  const last = points[points.length - 1];
  if (!last || last.distanceTo(position) >= TRACK_MIN_STEP_M) {
    points.push(position);
    if (points.length > TRACK_POINTS_KEPT) points.splice(0, points.length - TRACK_POINTS_KEPT);
    entry.track.setLatLngs(points);
  }
}

// ---------- vehicles ----------

function vehicleCard(id) {
  const field = (name, label) =>
    el('span', { class: `v-field v-${name}`, title: label }, el('b', { text: '—' }));
  const card = el(
    'div',
    { class: 'vehicle', 'data-vehicle-id': id },
    el('strong', { class: 'v-id', text: id }),
    field('status', 'patrol status'),
    field('mode', 'flight mode'),
    field('battery', 'battery'),
    field('waypoint', 'waypoint k / n'),
    field('alerts', 'alerts raised'),
    field('link', 'telemetry link'),
    field('position', 'position, height above home, ground speed'),
  );
  if (state.role === 'pilot') {
    const buttons = el('span', { class: 'v-commands' });
    for (const command of state.commands) {
      const button = el('button', { type: 'button', 'data-command': command, text: command });
      button.addEventListener('click', () => sendCommand(id, command, button));
      buttons.append(button);
    }
    card.append(buttons);
  }
  return card;
}

function setField(card, name, text, level = null) {
  const b = card.querySelector(`.v-${name} b`);
  b.textContent = text;
  if (level) b.parentElement.dataset.level = level;
  else delete b.parentElement.dataset.level;
}

function updateVehicle(v) {
  let entry = state.vehicles.get(v.id);
  if (!entry) {
    entry = { card: vehicleCard(v.id) };
    state.vehicles.set(v.id, entry);
    $('#vehicles .empty')?.remove();
    $('#vehicles').append(entry.card);
  }
  entry.snapshot = v;
  entry.receivedAtMs = Date.now();
  const card = entry.card;
  card.dataset.mode = v.modeName;
  card.dataset.patrolStatus = v.patrolStatus;
  card.dataset.armed = String(v.armed);
  if (v.latDeg !== null && v.lonDeg !== null) {
    card.dataset.droneLat = String(v.latDeg);
    card.dataset.droneLon = String(v.lonDeg);
  }
  setField(card, 'status', v.patrolStatus);
  setField(card, 'mode', `${v.modeName}${v.armed ? ' · armed' : ''}`);
  const battery = v.batteryPct;
  setField(
    card,
    'battery',
    battery === null ? 'battery —' : `battery ${Math.round(battery)} %`,
    battery !== null && battery < 30 ? 'warning' : null,
  );
  setField(card, 'waypoint', v.waypoint ? `wp ${v.waypoint.current}/${v.waypoint.total}` : 'wp —');
  setField(card, 'alerts', `${v.alertsRaised} alert${v.alertsRaised === 1 ? '' : 's'}`);
  setField(
    card,
    'position',
    v.latDeg === null
      ? 'no position'
      : `${v.latDeg.toFixed(5)}, ${v.lonDeg.toFixed(5)} · ${fixed(v.altRelM, 0, ' m')} · ${fixed(v.groundSpeedMs, 1, ' m/s')}`,
  );
  updateLinkField(entry);
  moveDrone(entry, v);
}

function updateLinkField(entry) {
  const ageS = (Date.now() - entry.receivedAtMs) / 1000;
  if (!entry.snapshot.connected) setField(entry.card, 'link', 'link lost', 'error');
  else if (ageS > STALE_AFTER_S) setField(entry.card, 'link', `no data ${Math.round(ageS)} s`, 'warning');
  else setField(entry.card, 'link', 'link ok');
}

async function sendCommand(vehicleId, command, button) {
  const question = CONFIRM[command]?.(vehicleId);
  if (question && !confirm(question)) return;
  button.disabled = true;
  try {
    const res = await api(`/api/vehicles/${encodeURIComponent(vehicleId)}/commands`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ command }),
    });
    const result = await res.json();
    addEvent({ vehicleId, level: 'info', text: `${command}: ${result.text}`, timeUs: Date.now() * 1000 });
  } catch (err) {
    addEvent({
      vehicleId,
      level: 'error',
      text: `${command} refused: ${err.message}`,
      timeUs: Date.now() * 1000,
    });
  } finally {
    button.disabled = false;
  }
}

// ---------- alerts ----------

/** An alert's version: a new sighting or better evidence (updatedUs), then a new review (its id). */
function isOlder(a, b) {
  return (
    a.updatedUs < b.updatedUs || (a.updatedUs === b.updatedUs && (a.review?.id ?? 0) < (b.review?.id ?? 0))
  );
}

function upsertAlert(alert) {
  const known = state.alerts.get(alert.id);
  if (known && isOlder(alert, known)) return;
  state.alerts.set(alert.id, alert);
  drawAlertMarker(alert);
}

function reviewText(alert) {
  const r = alert.review;
  if (!r) return 'pending review';
  return r.verdict === 'confirmed' ? 'confirmed' : `dismissed: ${r.reason}`;
}

function drawAlertMarker(alert) {
  state.alertLayers.get(alert.id)?.remove();
  const colour = SEVERITY_COLOUR[alert.severity] ?? '#555';
  const group = L.featureGroup([
    L.circle([alert.latDeg, alert.lonDeg], {
      radius: Math.max(alert.uncertaintyM, 1),
      className: 'alert-uncertainty',
      color: colour,
      weight: 1,
      fillOpacity: 0.12,
      interactive: false,
    }),
    // A dismissed alert (not dust) stays on the map, faded.
    L.circleMarker([alert.latDeg, alert.lonDeg], {
      radius: 7,
      className: `alert-marker severity-${alert.severity} review-${alert.reviewState}`,
      color: '#ffffff',
      weight: 2,
      fillColor: colour,
      fillOpacity: alert.reviewState === 'dismissed' ? 0.3 : 1,
    }).bindTooltip(
      el('span', {
        text: `${alert.code} · ${alert.siteId ?? 'no site'} · ${alert.severity} · ${reviewText(alert)}`,
      }),
    ),
  ]);
  group.on('click', () => selectAlert(alert.id));
  group.addTo(layers.alerts);
  group.eachLayer((layer) => tag(layer, { 'alert-id': alert.id }));
  state.alertLayers.set(alert.id, group);
}

function renderAlerts() {
  const list = [...state.alerts.values()].sort((a, b) => b.firstSeenUs - a.firstSeenUs || b.id - a.id);
  const items = list.slice(0, ALERTS_SHOWN).map((a) => {
    const li = el(
      'li',
      {
        'data-alert-id': a.id,
        'data-severity': a.severity,
        'data-review-state': a.reviewState,
        class: a.id === state.selectedAlertId ? 'selected' : null,
        tabindex: 0,
      },
      el('span', { class: 'a-code', text: a.code }),
      el('span', { class: `a-severity severity-${a.severity}`, text: a.severity }),
      el('span', { class: 'a-site', text: a.siteId ? `${a.siteId} ${a.siteName ?? ''}` : 'no site' }),
      el('span', { class: 'a-contractor', text: a.contractor ?? '—' }),
      el('time', { class: 'a-time', datetime: utcTitle(a.firstSeenUs), text: localTime(a.firstSeenUs) }),
      el('span', { class: 'a-review', 'data-review-state': a.reviewState, text: reviewText(a) }),
    );
    li.addEventListener('click', () => selectAlert(a.id));
    li.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        selectAlert(a.id);
      }
    });
    return li;
  });
  $('#alerts').replaceChildren(...items);
  $('#alerts-empty').hidden = list.length > 0;
  $('#alert-count').textContent = list.length > 0 ? String(list.length) : '';
}

async function selectAlert(id) {
  const alert = state.alerts.get(id);
  if (!alert) return;
  state.selectedAlertId = id;
  for (const li of document.querySelectorAll('#alerts li')) {
    li.classList.toggle('selected', li.dataset.alertId === String(id));
  }
  map.flyTo([alert.latDeg, alert.lonDeg], Math.max(map.getZoom(), ALERT_ZOOM), { duration: 0.8 });
  showEvidenceDetails(alert);
  showReview(alert);
  loadReviewHistory(id).catch(report);
  const img = $('#evidence-img');
  try {
    // Fetched with the token in a header, shown from a blob: the token stays out of image URLs.
    const blob = await (await api(alert.snapshotUrl)).blob();
    if (state.selectedAlertId !== id) return;
    if (state.evidenceUrl) URL.revokeObjectURL(state.evidenceUrl);
    state.evidenceUrl = URL.createObjectURL(blob);
    img.src = state.evidenceUrl;
    img.dataset.alertId = String(id);
  } catch (err) {
    notice(`evidence of ${alert.code}: ${err.message}`);
  }
}

function showEvidenceDetails(alert) {
  $('#evidence').hidden = false;
  $('#evidence-title').textContent = `${alert.code} · ${alert.severity}`;
  $('#evidence-caption').textContent = alert.caption;
  const rows = [
    ['site', alert.siteId ? `${alert.siteId} ${alert.siteName ?? ''}` : 'none'],
    ['contractor', alert.contractor ?? '—'],
    ['distance to site', alert.siteDistanceM === null ? '—' : fixed(alert.siteDistanceM, 0, ' m')],
    [
      'position',
      `${alert.latDeg.toFixed(6)}, ${alert.lonDeg.toFixed(6)} (± ${fixed(alert.uncertaintyM, 0, ' m')})`,
    ],
    ['first seen', localTime(alert.firstSeenUs)],
    ['last seen', localTime(alert.lastSeenUs)],
    ['frames / sightings', `${alert.frames} / ${alert.sightings}`],
    ['plume area', fixed(alert.areaM2, 0, ' m²')],
    ['score mean / peak', `${fixed(alert.meanScore, 2)} / ${fixed(alert.peakScore, 2)}`],
    ['camera', `${fixed(alert.pose?.altRelM, 0, ' m')} up, heading ${fixed(alert.pose?.headingDeg, 0, '°')}`],
    ['flight', alert.flightId],
  ];
  $('#evidence-details').replaceChildren(
    ...rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]),
  );
}

// ---------- reviews ----------

/** The selected alert's review state, and the buttons for a reviewer or a pilot. */
function showReview(alert) {
  const line = $('#review-state');
  const r = alert.review;
  line.dataset.reviewState = alert.reviewState;
  line.textContent = r
    ? `${r.verdict === 'confirmed' ? 'confirmed as dust' : `dismissed: ${r.reason}`} by ${r.reviewer}, ${localTime(r.createdUs)}`
    : 'review: pending';
  $('#review-actions').hidden = !state.mayReview;
}

async function loadReviewHistory(id) {
  const history = await getJson(`/api/alerts/${id}/reviews`);
  if (state.selectedAlertId !== id) return;
  const items = history.reviews
    .slice()
    .reverse()
    .map((r) =>
      el(
        'li',
        { 'data-review-id': r.id },
        el('time', { datetime: utcTitle(r.createdUs), text: localTime(r.createdUs) }),
        ` ${r.verdict === 'confirmed' ? 'confirmed' : `dismissed: ${r.reason}`} by ${r.reviewer}${r.note ? `: ${r.note}` : ''}`,
      ),
    );
  $('#review-history').replaceChildren(...items);
}

async function sendReview(verdict) {
  const id = state.selectedAlertId;
  const alert = state.alerts.get(id);
  if (!alert) return;
  const body = { verdict, note: $('#review-note').value };
  if (verdict === 'dismissed') body.reason = $('#review-reason').value;
  for (const b of document.querySelectorAll('#review-actions button')) b.disabled = true;
  try {
    const res = await api(`/api/alerts/${id}/reviews`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    // The feed tells every page too; this one need not wait for it.
    onReviewed((await res.json()).alert);
    $('#review-note').value = '';
  } catch (err) {
    addEvent({
      vehicleId: 'review',
      level: 'error',
      text: `${alert.code}: ${err.message}`,
      timeUs: Date.now() * 1000,
    });
  } finally {
    for (const b of document.querySelectorAll('#review-actions button')) b.disabled = false;
  }
}

function onReviewed(alert) {
  upsertAlert(alert);
  renderAlerts();
  if (state.selectedAlertId === alert.id) {
    showReview(state.alerts.get(alert.id));
    loadReviewHistory(alert.id).catch(report);
  }
  ledgerSoon();
}

function closeEvidence() {
  state.selectedAlertId = null;
  $('#evidence').hidden = true;
  $('#evidence-img').removeAttribute('src');
  if (state.evidenceUrl) URL.revokeObjectURL(state.evidenceUrl);
  state.evidenceUrl = null;
  for (const li of document.querySelectorAll('#alerts li.selected')) li.classList.remove('selected');
}

// ---------- ledger and events ----------

async function loadLedger() {
  const ledger = await getJson('/api/ledger');
  $('#ledger-window').textContent = `flag: ${ledger.threshold}+ confirmed in ${ledger.windowDays} d`;
  const rows = ledger.sites.map((r) =>
    el(
      'tr',
      { 'data-site-id': r.siteId, class: r.flagged ? 'flagged' : null },
      el('td', { title: r.siteName, text: r.siteId }),
      el('td', { text: r.contractor ?? '—' }),
      el('td', { class: 'num', 'data-count': 'patrols', text: String(r.patrols) }),
      el('td', { class: 'num', 'data-count': 'confirmed', text: String(r.confirmed) }),
      el('td', { class: 'num', 'data-count': 'pending', text: String(r.pending) }),
      el('td', { class: 'num', 'data-count': 'dismissed', text: String(r.dismissed) }),
      el('td', { class: 'num', text: String(r.windowConfirmed) }),
      el('td', { title: utcTitle(r.lastAlertUs), text: localTime(r.lastAlertUs) }),
      el('td', { text: r.flagged ? 'flagged' : r.reviewNeeded ? 'review' : '' }),
    ),
  );
  $('#ledger tbody').replaceChildren(...rows);
  $('#ledger-empty').hidden = rows.length > 0;
}

function ledgerSoon() {
  clearTimeout(state.ledgerTimer);
  state.ledgerTimer = setTimeout(() => loadLedger().catch(report), LEDGER_DEBOUNCE_MS);
}

function addEvent(e) {
  const li = el(
    'li',
    { 'data-level': e.level },
    el('time', { datetime: utcTitle(e.timeUs), text: localTime(e.timeUs).slice(11) }),
    el('span', { class: 'e-vehicle', text: e.vehicleId }),
    el('span', { class: 'e-text', text: e.text }),
  );
  const list = $('#events');
  list.prepend(li);
  while (list.children.length > EVENTS_KEPT) list.lastElementChild.remove();
}

function report(err) {
  if (err instanceof ApiError && err.status === 401) {
    notice(`The server refused this page's token (${err.message}). Open the page with ?token=… again.`);
  } else {
    notice(String(err.message ?? err));
  }
}

// ---------- live feed ----------

function connect() {
  const url = new URL('/ws', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  let protocols;
  if (PROTOCOL_SAFE.test(state.token)) protocols = ['dustpatrol.v1', `bearer.${state.token}`];
  else url.searchParams.set('token', state.token);
  setLink('connecting', 'connecting…');
  const ws = new WebSocket(url, protocols);
  state.ws = ws;
  let pinger = null;
  ws.addEventListener('open', () => {
    pinger = setInterval(() => ws.send(JSON.stringify({ type: 'ping' })), PING_EVERY_MS);
  });
  ws.addEventListener('message', (e) => {
    let message;
    try {
      message = JSON.parse(e.data);
    } catch {
      return;
    }
    onMessage(message);
  });
  ws.addEventListener('close', () => {
    clearInterval(pinger);
    if (state.ws !== ws) return;
    state.ws = null;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** state.reconnectAttempts);
    state.reconnectAttempts++;
    const jittered = Math.round(delay * (0.75 + Math.random() * 0.5));
    setLink('down', `offline · retry in ${Math.round(jittered / 1000)} s`);
    setTimeout(reconnect, jittered);
  });
}

/** Reconnects unless the token is no longer accepted (a browser cannot see the upgrade's 401). */
async function reconnect() {
  try {
    await getJson('/api/config');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setLink('down', 'token refused');
      report(err);
      return;
    }
  }
  connect();
}

function onMessage(m) {
  switch (m.type) {
    case 'hello':
      state.reconnectAttempts = 0;
      setLink('live', 'live');
      notice(null);
      for (const v of m.vehicles) updateVehicle(v);
      showStore(m.store);
      // Catch up on whatever happened while the feed was down.
      catchUp().catch(report);
      break;
    case 'telemetry':
      updateVehicle(m.vehicle);
      break;
    case 'alert':
      upsertAlert(m.alert);
      renderAlerts();
      ledgerSoon();
      break;
    case 'review':
      onReviewed(m.alert);
      addEvent({
        vehicleId: 'review',
        level: 'info',
        text: `${m.alert.code} ${m.review.verdict === 'confirmed' ? 'confirmed' : `dismissed (${m.review.reason})`} by ${m.review.reviewer}`,
        timeUs: m.review.createdUs,
      });
      break;
    case 'event':
      addEvent(m);
      break;
    case 'plan':
      drawPlan(m.plan);
      break;
    case 'store':
      showStore(m.status);
      if (m.text) addEvent({ vehicleId: 'store', level: m.level, text: m.text, timeUs: m.timeUs });
      break;
    case 'error':
      console.warn('server:', m.error);
      break;
    default:
      break;
  }
}

async function catchUp() {
  const [plans, alerts] = await Promise.all([getJson('/api/plans'), getJson('/api/alerts')]);
  for (const plan of plans) drawPlan(plan);
  for (const alert of alerts) upsertAlert(alert);
  renderAlerts();
  await loadLedger();
}

// ---------- start ----------

async function start() {
  state.token = takeToken();
  if (!state.token) {
    notice('No token: open this page as /?token=YOUR_TOKEN (ask the operator of the daemon for one).');
    setLink('down', 'no token');
    return;
  }
  const config = await getJson('/api/config');
  state.role = config.role;
  state.commands = config.commands ?? [];
  state.mayReview = config.mayReview === true;
  state.dismissReasons = config.dismissReasons ?? [];
  $('#review-reason').replaceChildren(
    ...state.dismissReasons.map((r) => el('option', { value: r, text: r })),
  );
  document.body.dataset.role = config.role;
  $('#who').textContent = `${config.name} · ${config.role}`;
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { maxZoom: 20, className: 'tiles' }).addTo(map);
    document.body.classList.add('with-tiles');
  }
  drawSites(await getJson('/api/sites'));
  for (const v of await getJson('/api/vehicles')) updateVehicle(v);
  connect();
  setInterval(() => {
    for (const entry of state.vehicles.values()) updateLinkField(entry);
  }, 1000);
  setInterval(() => loadLedger().catch(report), LEDGER_REFRESH_MS);
}

$('#evidence-close').addEventListener('click', closeEvidence);
$('#review-confirm').addEventListener('click', () => sendReview('confirmed'));
$('#review-dismiss').addEventListener('click', () => sendReview('dismissed'));
start().catch((err) => {
  report(err);
  setLink('down', 'not connected');
});
