/**
 * <gateway-player>: puts a live gateway stream into any page, on any site.
 *
 *   <script type="module" src="https://gateway.example.org:8080/web/gateway-player.js"></script>
 *   <gateway-player src="https://gateway.example.org:8080" stream="lobby"></gateway-player>
 *
 * Attributes: src (the gateway; defaults to where this module came from), stream, token,
 * muted (on unless muted="false"), controls, fit="contain|cover", relay (TURN only).
 * The element fires `statechange` events ({ detail: { state, error, code, ... } }), mirrors the
 * state in its `data-state` attribute, and exposes the underlying Player as `.player`.
 */
import { Player } from './player.js';

const DEFAULT_GATEWAY = new URL('..', import.meta.url).href;

const LABELS = {
  stopped: '',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  waiting: 'Waiting for the camera…',
  ended: 'Ended',
  failed: 'Unavailable',
};

const TEMPLATE = `
<style>
  :host { display: block; position: relative; overflow: hidden; background: #000; aspect-ratio: 16 / 9; }
  :host([hidden]) { display: none; }
  video { display: block; width: 100%; height: 100%; object-fit: contain; background: #000; }
  :host([fit="cover"]) video { object-fit: cover; }
  .status {
    position: absolute; left: 50%; top: 50%; transform: translate(-50%, -50%);
    max-width: 90%; padding: .4rem .7rem; border-radius: .4rem;
    background: rgb(0 0 0 / .6); color: #e6e6e6; text-align: center;
    font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; pointer-events: none;
  }
  :host([data-state="playing"]) .status, .status:empty { display: none; }
</style>
<video part="video"></video>
<div class="status" part="status" role="status" aria-live="polite"></div>`;

// Changing these needs a new connection; the others only change how the video is shown.
const CONNECTION_ATTRIBUTES = new Set(['src', 'stream', 'token', 'relay']);

function flag(value, absent) {
  if (value === null) return absent;
  return value !== 'false' && value !== '0';
}

export class GatewayPlayerElement extends HTMLElement {
  static observedAttributes = ['src', 'stream', 'token', 'relay', 'muted', 'controls', 'fit'];

  #video;
  #status;
  #player = null;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = TEMPLATE;
    this.#video = root.querySelector('video');
    this.#status = root.querySelector('.status');
  }

  /** The Player playing the stream, or null while disconnected or without a stream. */
  get player() {
    return this.#player;
  }

  get state() {
    return this.#player?.state ?? 'stopped';
  }

  /** The element's <video>, e.g. to measure what it renders. */
  get video() {
    return this.#video;
  }

  connectedCallback() {
    this.#restart();
  }

  disconnectedCallback() {
    this.#player?.stop();
    this.#player = null;
  }

  attributeChangedCallback(name, before, after) {
    if (before === after || !this.isConnected) return;
    if (CONNECTION_ATTRIBUTES.has(name)) this.#restart();
    else this.#present();
  }

  #restart() {
    this.#player?.stop();
    this.#player = null;
    const stream = this.getAttribute('stream');
    if (!stream) {
      this.#show('failed', { error: 'No stream attribute' });
      return;
    }
    const player = new Player({
      video: this.#video,
      stream,
      baseUrl: this.getAttribute('src') || DEFAULT_GATEWAY,
      token: this.getAttribute('token'),
      iceTransportPolicy: flag(this.getAttribute('relay'), false) ? 'relay' : 'all',
      onStateChange: (state, detail) => {
        // A stopped player's last word must not overwrite its successor's.
        if (this.#player === player) this.#show(state, detail);
      },
    });
    this.#player = player;
    this.#present();
    player.start();
  }

  #present() {
    this.#video.muted = flag(this.getAttribute('muted'), true);
    this.#video.controls = flag(this.getAttribute('controls'), false);
  }

  #show(state, detail = {}) {
    this.dataset.state = state;
    this.#status.textContent = detail.error && state !== 'connecting' ? detail.error : (LABELS[state] ?? '');
    this.dispatchEvent(new CustomEvent('statechange', { detail: { state, ...detail } }));
  }
}

if (!customElements.get('gateway-player')) customElements.define('gateway-player', GatewayPlayerElement);
