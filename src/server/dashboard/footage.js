// dustpatrol footage: which recorded flights saw a site, and when; their video at that time, with the
// ground the camera saw drawn on the map as it plays. A plain browser module over the daemon's /api.
// Every text from the server goes into the page as text, never as HTML.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';

/** The patrol monitor keeps the token under the same key: a tab that has it open needs no ?token=. */
const TOKEN_KEY = 'dustpatrol.token';
const SITE_STYLE = { color: '#3d6e8a', fillColor: '#9cc5d9', fillOpacity: 0.3, weight: 2 };
const CHOSEN_STYLE = { color: '#1d4e89', fillColor: '#1d4e89', fillOpacity: 0.25, weight: 3 };
const FOOTPRINT_STYLE = { color: '#c0271e', fillColor: '#ff7043', fillOpacity: 0.25, weight: 2 };

const $ = (selector) => document.querySelector(selector);

const state = {
  token: null,
  /** siteId → Leaflet polygon */
  sites: new Map(),
  ranges: [],
  /** The range playing: { range, views } */
  playing: null,
  /** recordingId → its views (GET /api/recordings/:id) */
  views: new Map(),
  footprint: null,
  camera: null,
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined) continue;
    if (key === 'text') node.textContent = value;
    else node.setAttribute(key, String(value));
  }
  node.append(...children);
  return node;
}

function notice(text) {
  $('#notice').textContent = text ?? '';
  $('#notice').hidden = !text;
}

/** `2026-12-08 10:15:00` (UTC) for µs since the epoch. */
const utc = (us) => new Date(us / 1000).toISOString().slice(0, 19).replace('T', ' ');

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

async function getJson(path) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${state.token}` } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

// ---------- map ----------

const map = L.map('map', { attributionControl: false, zoomSnap: 0.5 }).setView([0, 0], 2);
L.control.scale({ imperial: false, maxWidth: 160 }).addTo(map);
const sitesLayer = L.layerGroup().addTo(map);
const viewLayer = L.layerGroup().addTo(map);

function drawSites(collection) {
  const select = $('#site');
  const bounds = L.latLngBounds([]);
  for (const feature of collection.features ?? []) {
    const props = feature.properties ?? {};
    const type = feature.geometry?.type;
    if ((props.kind ?? 'site') !== 'site' || (type !== 'Polygon' && type !== 'MultiPolygon')) continue;
    const depth = type === 'Polygon' ? 1 : 2;
    const polygon = L.polygon(L.GeoJSON.coordsToLatLngs(feature.geometry.coordinates, depth), {
      ...SITE_STYLE,
      className: 'site',
    }).bindTooltip(el('span', { text: props.id ?? '' }), { permanent: true, direction: 'center' });
    sitesLayer.addLayer(polygon);
    polygon.getElement()?.setAttribute('data-site-id', props.id ?? '');
    state.sites.set(props.id, polygon);
    bounds.extend(polygon.getBounds());
    select.append(el('option', { value: props.id, text: `${props.id} ${props.name ?? ''}`.trim() }));
  }
  if (bounds.isValid()) map.fitBounds(bounds.pad(0.08));
}

/** The view the camera had at `offsetS` into the playing recording, drawn on the map (none: cleared). */
function showView(offsetS) {
  const views = state.playing?.views ?? [];
  const view = views.find((v) => v.startOffsetS <= offsetS && offsetS < v.endOffsetS);
  viewLayer.clearLayers();
  const clock = $('#clock');
  if (!view) {
    clock.textContent = state.playing ? `${offsetS.toFixed(1)} s: no view indexed` : '—';
    return;
  }
  const ring = view.footprint.map(([lon, lat]) => [lat, lon]);
  const footprint = L.polygon(ring, { ...FOOTPRINT_STYLE, className: 'footprint', interactive: false });
  const camera = L.circleMarker([view.camera.latDeg, view.camera.lonDeg], {
    radius: 6,
    className: 'camera',
    color: '#263238',
    fillColor: '#ffffff',
    fillOpacity: 1,
  }).bindTooltip(
    el('span', {
      text: `${view.camera.altRelM.toFixed(0)} m up, heading ${view.camera.headingDeg.toFixed(0)}°, pitch ${view.camera.pitchDeg.toFixed(0)}°`,
    }),
  );
  viewLayer.addLayer(footprint);
  viewLayer.addLayer(camera);
  footprint.getElement()?.setAttribute('data-offset', String(view.startOffsetS));
  const timeUs = view.startUs + (offsetS - view.startOffsetS) * 1e6;
  clock.textContent = `${utc(timeUs)} UTC`;
  clock.dataset.offset = offsetS.toFixed(1);
}

// ---------- the query and its ranges ----------

function utcParam(input) {
  return input.value ? `${input.value.length === 16 ? `${input.value}:00` : input.value}Z` : null;
}

async function find(event) {
  event.preventDefault();
  notice(null);
  const siteId = $('#site').value;
  for (const [id, polygon] of state.sites) polygon.setStyle(id === siteId ? CHOSEN_STYLE : SITE_STYLE);
  state.sites.get(siteId)?.bringToFront();
  const params = new URLSearchParams({ site: siteId });
  for (const [name, input] of [
    ['since', $('#since')],
    ['until', $('#until')],
  ]) {
    const value = utcParam(input);
    if (value) params.set(name, value);
  }
  try {
    state.ranges = await getJson(`/api/footage?${params}`);
  } catch (err) {
    notice(`footage of ${siteId}: ${err.message}`);
    return;
  }
  const body = $('#ranges tbody');
  body.replaceChildren(
    ...state.ranges.map((r, i) => {
      const row = el(
        'tr',
        { 'data-index': i, 'data-recording-id': r.recordingId, tabindex: 0 },
        el('td', { text: r.flightId }),
        el('td', { text: utc(r.startUs) }),
        el('td', { text: utc(r.endUs).slice(11) }),
        el('td', { text: `${Math.round(r.viewShare * 100)}%` }),
      );
      row.addEventListener('click', () => play(i));
      row.addEventListener('keydown', (e) => e.key === 'Enter' && play(i));
      return row;
    }),
  );
  const empty = $('#ranges-empty');
  empty.textContent = `No footage of ${siteId}${params.has('since') || params.has('until') ? ' in that time' : ''}.`;
  empty.hidden = state.ranges.length > 0;
  const site = state.sites.get(siteId);
  if (site) map.fitBounds(site.getBounds().pad(1.5));
}

/** Plays range i: its recording from the range's start, the slider spanning the range. */
async function play(i) {
  const range = state.ranges[i];
  for (const row of document.querySelectorAll('#ranges tbody tr')) {
    row.setAttribute('aria-selected', String(row.dataset.index === String(i)));
  }
  let views = state.views.get(range.recordingId);
  if (!views) {
    try {
      views = (await getJson(`/api/recordings/${range.recordingId}`)).views;
    } catch (err) {
      notice(`recording ${range.recordingId}: ${err.message}`);
      return;
    }
    state.views.set(range.recordingId, views);
  }
  state.playing = { range, views };
  const slider = $('#slider');
  slider.min = String(range.startOffsetS);
  slider.max = String(range.endOffsetS);
  slider.value = String(range.startOffsetS);
  slider.disabled = false;
  const video = $('#video');
  // A <video> cannot send a header: the token goes in the query, which the server takes for recordings.
  const src = `${range.videoUrl}?token=${encodeURIComponent(state.token)}`;
  if (video.dataset.src !== src) {
    video.dataset.src = src;
    video.src = src;
    await new Promise((resolve) => video.addEventListener('loadedmetadata', resolve, { once: true }));
  }
  video.currentTime = range.startOffsetS;
  showView(range.startOffsetS);
}

function wirePlayer() {
  const video = $('#video');
  const slider = $('#slider');
  slider.addEventListener('input', () => {
    video.currentTime = Number(slider.value);
    showView(Number(slider.value));
  });
  video.addEventListener('timeupdate', () => {
    if (!state.playing) return;
    const { startOffsetS, endOffsetS } = state.playing.range;
    if (video.currentTime >= endOffsetS && !video.paused) video.pause();
    slider.value = String(Math.min(endOffsetS, Math.max(startOffsetS, video.currentTime)));
    showView(video.currentTime);
  });
  video.addEventListener('error', () =>
    notice(`the video cannot be played here (${video.error?.message ?? 'error'})`),
  );
}

async function start() {
  state.token = takeToken();
  if (!state.token) {
    notice('No token: open this page as /footage.html?token=YOUR_TOKEN');
    return;
  }
  wirePlayer();
  $('#query').addEventListener('submit', (e) => void find(e));
  try {
    drawSites(await getJson('/api/sites'));
  } catch (err) {
    notice(`sites: ${err.message}`);
  }
}

void start();
