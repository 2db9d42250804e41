/**
 * <gateway-wall>: a grid of live gateway streams in any page, on any site, all over one
 * connection to the gateway.
 *
 *   <script type="module" src="https://gateway.example.org:8080/web/gateway-wall.js"></script>
 *   <gateway-wall src="https://gateway.example.org:8080" streams="door,yard,garage" columns="3"></gateway-wall>
 *
 * Attributes: streams (comma-separated names; changing it adds and removes tiles on the same
 * connection), columns (default: the square root of the count, rounded up), src (the gateway;
 * defaults to where this module came from), token, fit="contain|cover", relay (TURN only), fill
 * (the grid scales to fit the element's own box, which then needs a height, so that every tile
 * shows without scrolling; the /wall page fills the window this way).
 * Each tile shows its stream's name and state; a click enlarges it to the grid's full width (it is
 * then encoded bigger) and another click shrinks it again. The element mirrors the connection's
 * state in `data-state` and each tile's in the tile's `data-state`, fires `statechange` and
 * `tilestatechange` events, and exposes the Wall as `.wall` and the tiles as `.tiles`.
 */
import { Wall } from './wall.js';

const DEFAULT_GATEWAY = new URL('..', import.meta.url).href;

const LABELS = {
  connecting: 'Connecting…',
  playing: 'Live',
  reconnecting: 'Reconnecting…',
  waiting: 'Waiting for the camera…',
  ended: 'Ended',
  failed: 'Unavailable',
};

const TEMPLATE = `
<style>
  :host { display: block; background: #000; color: #e6e6e6; font: 13px/1.3 system-ui, -apple-system, "Segoe UI", sans-serif; }
  :host([hidden]) { display: none; }
  .grid { display: grid; grid-template-columns: repeat(var(--columns, 2), minmax(0, 1fr)); gap: 0; grid-auto-flow: row dense; }
  /* fill: as wide as the box allows with every row inside its height; an enlarged tile fits it alone. */
  :host([fill]) { container-type: size; overflow: auto; }
  :host([fill]) .grid { width: min(100cqw, 100cqh * 16 * var(--columns, 2) / (9 * var(--rows, 1))); margin: 0 auto; }
  :host([fill]) .grid:has(> .enlarged) { width: min(100cqw, 100cqh * 16 / 9); }
  /* No outline or border over a neighbour: a video frame then redraws its own tile only. */
  .tile { position: relative; aspect-ratio: 16 / 9; overflow: hidden; background: #000; cursor: zoom-in; }
  .tile.enlarged { grid-column: 1 / -1; order: -1; cursor: zoom-out; }
  video { display: block; width: 100%; height: 100%; object-fit: contain; background: #000; }
  :host([fit="cover"]) video { object-fit: cover; }
  .label {
    position: absolute; left: .3rem; top: .3rem; max-width: calc(100% - .6rem); padding: .1rem .4rem;
    border-radius: .3rem; background: rgb(0 0 0 / .55); pointer-events: none;
    white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  }
  .state::before {
    content: ""; display: inline-block; width: .55em; height: .55em; margin: 0 .35em 0 .45em;
    border-radius: 50%; background: #f0b429;
  }
  .tile[data-state="playing"] .state::before { background: #3ecf6e; }
  .tile[data-state="failed"] .state::before, .tile[data-state="ended"] .state::before { background: #ef5350; }
  .error { display: block; color: #ffb4a9; white-space: normal; }
  .tile[data-state="playing"] .error { display: none; }
</style>
<div class="grid" part="grid"></div>`;

const CONNECTION_ATTRIBUTES = new Set(['src', 'token', 'relay']);

/** The stream names of a `streams` attribute, in order, without blanks. */
function streamList(value) {
  return (value ?? '').split(',').map((name) => name.trim()).filter(Boolean);
}

export class GatewayWallElement extends HTMLElement {
  static observedAttributes = ['streams', 'columns', 'src', 'token', 'relay', 'fit'];

  #grid;
  #wall = null;
  // One entry per tile, in grid order: { stream, element, tile }.
  #entries = [];

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = TEMPLATE;
    this.#grid = root.querySelector('.grid');
  }

  /** The Wall carrying the tiles, or null while disconnected. */
  get wall() {
    return this.#wall;
  }

  /** The tiles in grid order: `{ stream, state, video, element, mid, firstFrameMs }`. */
  get tiles() {
    return this.#entries.map(({ stream, element, tile }) => ({
      stream, element, video: tile?.video ?? element.querySelector('video'), state: tile?.state ?? 'stopped',
      mid: tile?.mid ?? null, firstFrameMs: tile?.firstFrameMs ?? null,
    }));
  }

  connectedCallback() {
    this.#restart();
  }

  disconnectedCallback() {
    this.#wall?.stop();
    this.#wall = null;
  }

  attributeChangedCallback(name, before, after) {
    if (before === after || !this.isConnected) return;
    if (CONNECTION_ATTRIBUTES.has(name)) this.#restart();
    else if (name === 'streams') this.#syncTiles();
    else if (name === 'columns') this.#layout();
  }

  #restart() {
    this.#wall?.stop();
    const wall = new Wall({
      baseUrl: this.getAttribute('src') || DEFAULT_GATEWAY,
      token: this.getAttribute('token'),
      iceTransportPolicy: this.hasAttribute('relay') && this.getAttribute('relay') !== 'false' ? 'relay' : 'all',
      onStateChange: (state, detail) => {
        if (this.#wall !== wall) return;
        this.dataset.state = state;
        this.dispatchEvent(new CustomEvent('statechange', { detail: { state, ...detail } }));
      },
      onTileStateChange: (tile) => {
        if (this.#wall === wall) this.#showTile(tile);
      },
    });
    this.#wall = wall;
    for (const entry of this.#entries) entry.tile = null;
    this.#syncTiles();
    wall.start();
  }

  /** Makes the tiles match the `streams` attribute, adding and removing on the live connection. */
  #syncTiles() {
    const wanted = streamList(this.getAttribute('streams'));
    const kept = [];
    const pool = [...this.#entries];
    for (const stream of wanted) {
      const at = pool.findIndex((entry) => entry.stream === stream);
      if (at >= 0) {
        kept.push(pool.splice(at, 1)[0]);
      } else {
        kept.push(this.#newEntry(stream));
      }
    }
    for (const gone of pool) {
      if (gone.tile) this.#wall?.remove(gone.tile);
      gone.element.remove();
    }
    this.#entries = kept;
    this.#grid.replaceChildren(...kept.map((entry) => entry.element));
    for (const entry of kept) {
      if (!entry.tile && this.#wall) {
        entry.tile = this.#wall.add(entry.stream, entry.element.querySelector('video'));
        entry.element.tileRef = entry.tile;
        this.#showTile(entry.tile);
      }
    }
    this.#layout();
  }

  #newEntry(stream) {
    const element = document.createElement('div');
    element.className = 'tile';
    element.setAttribute('part', 'tile');
    element.dataset.stream = stream;
    const video = document.createElement('video');
    video.setAttribute('part', 'video');
    const label = document.createElement('div');
    label.className = 'label';
    const name = document.createElement('strong');
    name.textContent = stream;
    const state = document.createElement('span');
    state.className = 'state';
    const error = document.createElement('span');
    error.className = 'error';
    label.append(name, state, error);
    element.append(video, label);
    element.addEventListener('click', () => {
      const enlarge = !element.classList.contains('enlarged');
      for (const other of this.#entries) other.element.classList.remove('enlarged');
      element.classList.toggle('enlarged', enlarge);
    });
    return { stream, element, tile: null };
  }

  #layout() {
    const given = Number.parseInt(this.getAttribute('columns'), 10);
    const count = Math.max(1, this.#entries.length);
    const columns = given > 0 ? given : Math.ceil(Math.sqrt(count));
    this.#grid.style.setProperty('--columns', String(columns));
    this.#grid.style.setProperty('--rows', String(Math.ceil(count / columns)));
  }

  #showTile(tile) {
    const entry = this.#entries.find((e) => e.tile === tile);
    if (!entry) return;
    entry.element.dataset.state = tile.state;
    entry.element.querySelector('.state').textContent = LABELS[tile.state] ?? tile.state;
    entry.element.querySelector('.error').textContent = tile.state === 'playing' ? '' : (tile.detail.error ?? '');
    this.dispatchEvent(new CustomEvent('tilestatechange', { detail: { stream: tile.stream, state: tile.state, ...tile.detail } }));
  }
}

if (!customElements.get('gateway-wall')) customElements.define('gateway-wall', GatewayWallElement);
