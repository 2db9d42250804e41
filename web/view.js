/** Viewer page for /view/{stream}: plays the stream and shows the player's state over it. */
import { Player } from './player.js';

const LABELS = {
  stopped: 'Stopped',
  connecting: 'Connecting…',
  playing: 'Live',
  reconnecting: 'Reconnecting…',
  waiting: 'Waiting for the camera…',
  ended: 'Ended',
  failed: 'Failed',
};

const video = document.getElementById('video');
const stateText = document.getElementById('state');
const errorText = document.getElementById('error');
const params = new URLSearchParams(location.search);
const stream = streamFromPath(location.pathname);

function streamFromPath(path) {
  const segment = path.split('/').filter(Boolean).pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a malformed escape is still the best guess at the name
  }
}

function show(state, { error } = {}) {
  document.documentElement.dataset.state = state;
  stateText.textContent = LABELS[state] ?? state;
  errorText.textContent = error ?? '';
  errorText.hidden = !error;
}

document.title = `${stream} · WebRTC gateway`;
document.getElementById('stream-name').textContent = stream;
video.controls = params.get('controls') === '1';

// `?signaling=whep` plays over WHEP instead of the gateway's WebSocket.
const signaling = params.get('signaling') === 'whep' ? 'whep' : 'ws';
const player = new Player({
  video,
  stream,
  signaling,
  token: params.get('token'),
  // `?relay=1` sends media only through the TURN relay: to check a TURN setup.
  iceTransportPolicy: params.get('relay') === '1' ? 'relay' : 'all',
  onStateChange: show,
});
// Muted unless `?muted=0` asks for sound; if the browser then refuses to autoplay, the player mutes.
video.muted = params.get('muted') !== '0';
window.player = player;
show(player.state);
player.start();

// Closing on pagehide ends the gateway session at once instead of at its ICE timeout, and
// keeps the page eligible for the back/forward cache, from which it resumes on pageshow.
addEventListener('pagehide', () => player.stop());
addEventListener('pageshow', (ev) => {
  if (ev.persisted) player.start();
});
