/**
 * Chromeless player for /embed/{stream}, meant for an <iframe>: the video fills the frame and
 * words appear only while there is no picture. Query: muted (default 1), controls (default 0),
 * fit=contain|cover, token, relay=1.
 */
import { Player } from './player.js';

const LABELS = {
  stopped: 'Stopped',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  waiting: 'Waiting for the camera…',
  ended: 'Ended',
  failed: 'Unavailable',
};

const video = document.getElementById('video');
const status = document.getElementById('status');
const params = new URLSearchParams(location.search);
const segment = location.pathname.split('/').filter(Boolean).pop() ?? '';
let stream;
try {
  stream = decodeURIComponent(segment);
} catch {
  stream = segment;
}

function show(state, { error } = {}) {
  document.documentElement.dataset.state = state;
  status.textContent = error && state !== 'connecting' ? error : (LABELS[state] ?? '');
}

document.title = stream;
document.documentElement.dataset.fit = params.get('fit') === 'cover' ? 'cover' : 'contain';
video.controls = params.get('controls') === '1';

const player = new Player({
  video,
  stream,
  token: params.get('token'),
  iceTransportPolicy: params.get('relay') === '1' ? 'relay' : 'all',
  onStateChange: show,
});
video.muted = params.get('muted') !== '0';
window.player = player;
show(player.state);
player.start();

addEventListener('pagehide', () => player.stop());
addEventListener('pageshow', (ev) => {
  if (ev.persisted) player.start();
});
