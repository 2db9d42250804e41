/**
 * Receive-only viewer of many gateway streams over one WebSocket and one RTCPeerConnection (the
 * gateway's `/ws`): one recvonly video transceiver per tile, each subscribed to its stream. Tiles
 * are added and removed by renegotiating the same connection; one ICE restart recovers them all.
 * Each tile has a state of its own (a camera that is away shows in its tile while the others
 * play); the connection has its own and keeps reconnecting until stop().
 */
import { Reconnection, retryDelay } from './reconnect.js';
import {
  CLOSE_REASONS, FATAL_CLOSE_CODES, closeKind, listenWhile, onFrameReceivedAfter, reachable, socketUrl, timerWhile,
} from './connection.js';

// As in player.js: the attempt's deadline to the gateway's hello and answer, ICE's to connect,
// the grace `disconnected` gets before an ICE restart, and the restart's own deadline.
const OPEN_TIMEOUT_MS = 4000;
const ICE_CONNECT_TIMEOUT_MS = 10000;
const ICE_GRACE_MS = 3000;
const ICE_RESTART_TIMEOUT_MS = 5000;
const VIEWPORT_DEBOUNCE_MS = 250;
// The gateway takes 5 offers in a row, then one every 2 s; an offer it dropped is made again.
const RATE_LIMITED_RETRY_MS = 2100;

// What a gateway error naming a tile means for that tile. `held`: the gateway still carries the
// tile (a notice about its source); otherwise it refused or dropped it.
const TILE_POLICY = new Map([
  ['source-unavailable', { action: 'wait', held: true }],
  ['source-ended', { action: 'end', held: true }],
  ['source-failed', { action: 'fail', held: true }],
  ['unknown-stream', { action: 'fail' }],
  ['unauthorized', { action: 'fail' }],
  ['forbidden', { action: 'fail' }],
  ['tile-limit', { action: 'fail' }],
  ['busy', { action: 'busy' }],
  ['no-video', { action: 'resubscribe' }],
]);

// What a gateway error naming no tile means for the connection; others are only reported.
const ERROR_POLICY = new Map([
  ['busy', 'busy'],
  ['bad-sdp', 'refused'],
  ['no-video', 'refused'],
  ['internal', 'refused'],
]);

const TERMINAL = new Set(['ended', 'failed']);

// The codecs the gateway encodes, in its order. A browser offers every codec it has on each
// section (Chromium's section is 3-5 KB of them), and a wall repeats the section per tile.
const GATEWAY_CODECS = ['video/H264', 'video/VP8'];
const REPAIR_CODECS = new Set(['video/rtx']);

/** Offers only what the gateway sends (H.264 in packetization mode 1, then VP8) and retransmission. */
function preferGatewayCodecs(transceiver) {
  const codecs = globalThis.RTCRtpReceiver?.getCapabilities?.('video')?.codecs;
  if (!codecs || !('setCodecPreferences' in transceiver)) return;
  const rank = (c) => GATEWAY_CODECS.indexOf(c.mimeType);
  const media = codecs.filter((c) => rank(c) >= 0 && !/packetization-mode=0/.test(c.sdpFmtpLine ?? ''))
    .sort((x, y) => rank(x) - rank(y));
  if (!media.length) return;
  try {
    transceiver.setCodecPreferences([...media, ...codecs.filter((c) => REPAIR_CODECS.has(c.mimeType))]);
  } catch {
    // a browser that refuses the list offers all it has; that still works, only longer
  }
}

/**
 * @typedef {object} Tile
 * @property {string} stream - the stream it shows
 * @property {HTMLVideoElement} video
 * @property {string} state - `connecting`, `playing`, `waiting`, `reconnecting`, `ended` or `failed`
 * @property {{error: ?string, code: ?string}} detail - why, for the states other than playing
 * @property {?string} mid - its media section, while it has one
 * @property {?number} firstFrameMs - performance.now() at its first rendered frame
 */

export class Wall {
  #base;
  #socketUrl;
  #healthUrl;
  #iceTransportPolicy;
  #onStateChange;
  #onTileStateChange;
  #state = 'stopped';
  #tiles = new Set();
  // The live attempt (one socket, one peer connection); callbacks of a stale one do nothing.
  #attempt = null;
  #attempts = 0;
  #iceRestarts = 0;
  #reconnection;
  #running = null;
  #resize = null;
  #onScreen = null;
  #viewportTimer = null;

  /**
   * @param {object} options
   * @param {string} [options.baseUrl] - the gateway's HTTP(S) URL; defaults to this page's origin
   * @param {string} [options.token] - the access token; a tile whose stream it does not open fails alone
   * @param {RTCIceTransportPolicy} [options.iceTransportPolicy] - `relay` to use only TURN relays
   * @param {(state: string, detail: object) => void} [options.onStateChange] - the connection's
   *   `stopped`, `connecting`, `connected`, `reconnecting`
   * @param {(tile: Tile) => void} [options.onTileStateChange]
   */
  constructor({ baseUrl = location.origin, token = null, iceTransportPolicy = 'all', onStateChange = () => {}, onTileStateChange = () => {} } = {}) {
    const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
    this.#base = base;
    this.#socketUrl = socketUrl(base, 'ws', token);
    this.#healthUrl = new URL('healthz', base).href;
    this.#iceTransportPolicy = iceTransportPolicy;
    this.#onStateChange = onStateChange;
    this.#onTileStateChange = onTileStateChange;
    this.#reconnection = new Reconnection({ connect: () => this.#connect(), reachable: (signal) => reachable(this.#healthUrl, signal) });
  }

  get state() {
    return this.#state;
  }

  /** The tiles, in the order they were added. */
  get tiles() {
    return [...this.#tiles];
  }

  /**
   * Adds a tile showing `stream` in `video`; on a running wall it joins the connection at once.
   * @returns {Tile}
   */
  add(stream, video) {
    video.muted = true;
    video.playsInline = true;
    video.autoplay = true;
    for (const name of ['muted', 'playsinline', 'autoplay']) video.setAttribute(name, '');
    const tile = { stream, video, state: 'connecting', detail: { error: null, code: null }, mid: null, firstFrameMs: null,
      transceiver: null, subscribed: false, viewport: '', onScreen: true, retryTimer: null, cancelFrame: null };
    this.#tiles.add(tile);
    this.#resize?.observe(video);
    this.#onScreen?.observe(video);
    this.#tileState(tile, 'connecting');
    const a = this.#attempt;
    if (a?.pc) {
      this.#attach(a, tile);
      this.#negotiate(a);
    }
    return tile;
  }

  /** Removes a tile: the gateway stops sending it at once; the connection stays. */
  remove(tile) {
    if (!this.#tiles.delete(tile)) return;
    clearTimeout(tile.retryTimer);
    this.#resize?.unobserve(tile.video);
    this.#onScreen?.unobserve(tile.video);
    const a = this.#attempt;
    if (a) {
      this.#detach(a, tile);
      this.#negotiate(a);
    }
    tile.video.srcObject = null;
  }

  start() {
    if (this.#state !== 'stopped') return;
    this.#reconnection.succeeded();
    this.#running = new AbortController();
    const { signal } = this.#running;
    this.#resize = new ResizeObserver(() => this.#viewportsSoon());
    this.#onScreen = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        for (const tile of this.#tiles) if (tile.video === entry.target) tile.onScreen = entry.isIntersecting;
      }
      this.#viewportsSoon();
    });
    for (const tile of this.#tiles) {
      this.#resize.observe(tile.video);
      this.#onScreen.observe(tile.video);
      this.#tileState(tile, 'connecting');
    }
    document.addEventListener('visibilitychange', () => this.#sendViewports(), { signal });
    window.addEventListener('online', () => this.#networkBack(), { signal });
    this.#setState('connecting');
    this.#connect();
  }

  stop() {
    if (this.#state === 'stopped') return;
    if (this.#attempt) this.#teardown(this.#attempt);
    this.#reconnection.cancel();
    this.#running?.abort();
    this.#running = null;
    this.#resize?.disconnect();
    this.#resize = null;
    this.#onScreen?.disconnect();
    this.#onScreen = null;
    clearTimeout(this.#viewportTimer);
    for (const tile of this.#tiles) {
      clearTimeout(tile.retryTimer);
      tile.video.srcObject = null;
    }
    this.#setState('stopped');
  }

  /** Restarts ICE for every tile on the same connection, as the wall does by itself when ICE fails. */
  restartIce() {
    const a = this.#attempt;
    if (a?.pc) this.#restartIce(a);
  }

  /** Counters for debugging and tests. */
  stats() {
    return {
      state: this.#state,
      attempts: this.#attempts,
      iceRestarts: this.#iceRestarts,
      session: this.#attempt?.session ?? null,
      iceConnectionState: this.#attempt?.pc?.iceConnectionState ?? null,
      // The gateway's ICE credentials in the answer applied: an ICE restart changes them.
      gatewayIceUfrag: this.#attempt?.pc?.currentRemoteDescription?.sdp.match(/^a=ice-ufrag:(.*?)\r?$/m)?.[1] ?? null,
      tiles: this.tiles.map((t) => ({ stream: t.stream, state: t.state, mid: t.mid, firstFrameMs: t.firstFrameMs, error: t.detail.error, code: t.detail.code })),
    };
  }

  /** The live peer connection's `RTCStatsReport`, or null between attempts. */
  async getStats() {
    const pc = this.#attempt?.pc;
    return pc ? pc.getStats() : null;
  }

  #connect() {
    const a = {
      id: ++this.#attempts,
      abort: new AbortController(),
      ws: null,
      pc: null,
      session: null,
      connected: false,
      remoteCandidates: [],
      byMid: new Map(),
      spare: [], // transceivers of removed tiles, inactive, for the next tile to take
      negotiating: false,
      again: null, // options of a negotiation asked for while one was under way
      openTimer: null,
      iceTimer: null,
      graceTimer: null,
      restartTimer: null,
    };
    this.#attempt = a;
    a.openTimer = this.#after(a, OPEN_TIMEOUT_MS, () => this.#retry(a, { error: 'The gateway did not answer in time' }, 'network'));
    a.ws = new WebSocket(this.#socketUrl);
    this.#on(a, a.ws, 'message', (ev) => this.#onMessage(a, ev.data));
    this.#on(a, a.ws, 'close', (ev) => this.#onClose(a, ev));
  }

  #onMessage(a, data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    switch (msg.type) {
      case 'hello': this.#onHello(a, msg); break;
      case 'answer': this.#onAnswer(a, msg); break;
      case 'candidate': this.#onRemoteCandidate(a, msg); break;
      case 'error': this.#onServerError(a, msg); break;
      case 'bye': this.#retry(a, { error: msg.reason || CLOSE_REASONS.get(1001) }, 'going-away'); break;
      default: break;
    }
  }

  #onHello(a, msg) {
    if (a.pc) return;
    a.session = msg.session ?? null;
    clearTimeout(a.openTimer);
    a.openTimer = this.#after(a, OPEN_TIMEOUT_MS, () => this.#retry(a, { error: 'The gateway did not answer the offer in time' }, 'network'));
    try {
      a.pc = new RTCPeerConnection({ iceServers: msg.iceServers ?? [], iceTransportPolicy: this.#iceTransportPolicy });
    } catch (err) {
      this.#retry(a, { error: `Cannot create the peer connection: ${err.message}` }, 'refused');
      return;
    }
    this.#on(a, a.pc, 'icecandidate', ({ candidate: c }) => {
      if (c?.candidate) this.#send(a, { type: 'candidate', candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex });
    });
    this.#on(a, a.pc, 'iceconnectionstatechange', () => this.#onIceState(a));
    for (const tile of this.#tiles) {
      if (!TERMINAL.has(tile.state)) this.#attach(a, tile);
    }
    this.#negotiate(a);
  }

  /** Gives a tile a recvonly transceiver of this attempt (a spare one if there is), and its video the track. */
  #attach(a, tile) {
    let transceiver = a.spare.pop();
    if (transceiver) {
      transceiver.direction = 'recvonly';
    } else {
      transceiver = a.pc.addTransceiver('video', { direction: 'recvonly' });
      preferGatewayCodecs(transceiver);
    }
    tile.transceiver = transceiver;
    tile.subscribed = false;
    tile.viewport = '';
    tile.video.srcObject = new MediaStream([transceiver.receiver.track]);
    this.#play(tile);
    this.#awaitFrame(a, tile);
  }

  /** Takes a tile off this attempt: unsubscribed, its transceiver inactive and kept for the next tile. */
  #detach(a, tile) {
    if (tile.subscribed && tile.mid !== null) this.#send(a, { type: 'unsubscribe', mid: tile.mid });
    if (tile.mid !== null) a.byMid.delete(tile.mid);
    if (tile.transceiver && a.pc) {
      tile.transceiver.direction = 'inactive';
      a.spare.push(tile.transceiver);
    }
    tile.transceiver = null;
    tile.subscribed = false;
    tile.mid = null;
  }

  /**
   * Offers the current tiles: after the offer is applied every transceiver has its mid, so each
   * tile not yet subscribed is subscribed before the offer goes out. One negotiation at a time;
   * asking during one makes one more after it.
   */
  async #negotiate(a, options = {}) {
    // An empty wall has nothing to offer yet; its first tile negotiates.
    if (!a.pc || a.pc.getTransceivers().length === 0) return;
    if (a.negotiating) {
      a.again = { ...(a.again ?? {}), ...options };
      return;
    }
    a.negotiating = true;
    try {
      const offer = await a.pc.createOffer(options);
      if (!this.#live(a)) return;
      await a.pc.setLocalDescription(offer);
      if (!this.#live(a)) return;
      for (const tile of this.#tiles) {
        if (tile.transceiver && !tile.subscribed && tile.transceiver.mid !== null && !tile.retryTimer) {
          tile.mid = tile.transceiver.mid;
          tile.subscribed = true;
          a.byMid.set(tile.mid, tile);
          this.#send(a, { type: 'subscribe', mid: tile.mid, stream: tile.stream });
        }
      }
      this.#send(a, { type: 'offer', sdp: offer.sdp });
    } catch (err) {
      a.negotiating = false;
      this.#retry(a, { error: `Cannot create an offer: ${err.message}` }, 'refused');
    }
  }

  async #onAnswer(a, msg) {
    if (a.pc?.signalingState !== 'have-local-offer') return;
    try {
      await a.pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
    } catch (err) {
      this.#retry(a, { error: `The gateway's answer was rejected: ${err.message}` }, 'refused');
      return;
    }
    if (!this.#live(a)) return;
    clearTimeout(a.openTimer);
    a.openTimer = null;
    a.iceTimer ??= this.#after(a, ICE_CONNECT_TIMEOUT_MS, () => {
      if (!a.connected) this.#retry(a, { error: 'Timed out connecting to the gateway' }, 'network');
    });
    for (const c of a.remoteCandidates.splice(0)) this.#addRemoteCandidate(a, c);
    this.#finishNegotiation(a);
    this.#sendViewports();
  }

  #finishNegotiation(a) {
    a.negotiating = false;
    if (a.again) {
      const options = a.again;
      a.again = null;
      this.#negotiate(a, options);
    }
  }

  #onRemoteCandidate(a, msg) {
    if (a.pc?.remoteDescription && a.pc.signalingState === 'stable') this.#addRemoteCandidate(a, msg);
    else a.remoteCandidates.push(msg);
  }

  #addRemoteCandidate(a, { candidate, sdpMid, sdpMLineIndex }) {
    a.pc.addIceCandidate({ candidate, sdpMid, sdpMLineIndex }).catch(() => {});
  }

  #onServerError(a, msg) {
    const detail = { error: msg.message || msg.code || 'Gateway error', code: msg.code ?? null };
    if (msg.mid !== undefined && msg.mid !== null) {
      const tile = a.byMid.get(msg.mid);
      if (tile) this.#onTileError(a, tile, detail);
      return;
    }
    if (msg.code === 'rate-limited' && a.pc?.signalingState === 'have-local-offer') {
      // The offer was dropped: take it back and make it again once the gateway takes offers.
      a.pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
      a.negotiating = false;
      this.#after(a, RATE_LIMITED_RETRY_MS, () => this.#negotiate(a, a.again ?? {}));
      a.again = null;
      return;
    }
    const policy = ERROR_POLICY.get(msg.code);
    if (policy) this.#retry(a, detail, policy);
    else console.warn(`wall: attempt ${a.id}: gateway error ${detail.code}:`, detail.error);
  }

  #onTileError(a, tile, detail) {
    const policy = TILE_POLICY.get(detail.code) ?? { action: 'fail' };
    if (!policy.held) {
      // The gateway does not carry this tile (it refused or dropped it).
      tile.subscribed = false;
      a.byMid.delete(tile.mid);
    }
    switch (policy.action) {
      case 'wait':
        this.#tileState(tile, 'waiting', detail);
        // Frames received before the notice were in flight: only a later one shows the source back.
        this.#awaitFrame(a, tile, performance.now());
        break;
      case 'busy': {
        const delay = retryDelay('busy', 0);
        this.#tileState(tile, 'reconnecting', { ...detail, retryInMs: delay });
        tile.retryTimer = setTimeout(() => {
          tile.retryTimer = null;
          if (this.#live(a) && this.#tiles.has(tile)) this.#negotiate(a);
        }, delay);
        break;
      }
      case 'resubscribe':
        this.#negotiate(a);
        break;
      default:
        // Ended or failed for good: the tile gives its media section (and its viewer slot) back.
        this.#detach(a, tile);
        this.#negotiate(a);
        tile.video.srcObject = null;
        this.#tileState(tile, policy.action === 'end' ? 'ended' : 'failed', detail);
    }
  }

  #onClose(a, ev) {
    const detail = { error: ev.reason || CLOSE_REASONS.get(ev.code) || `Connection closed (${ev.code})`, code: ev.code };
    if (FATAL_CLOSE_CODES.has(ev.code)) this.#halt(a, detail);
    else this.#retry(a, detail, closeKind(ev.code));
  }

  #play(tile) {
    tile.video.play().catch(() => {
      // Muted autoplay is allowed everywhere; anything else waits for a click on the tile.
      tile.video.addEventListener('click', () => tile.video.play().catch(() => {}), { once: true });
    });
  }

  /** Shows the tile `playing` at its first frame rendered that was received after `after` (performance.now()). */
  #awaitFrame(a, tile, after = -Infinity) {
    const video = tile.video;
    const onFrame = () => {
      if (this.#live(a) && this.#tiles.has(tile) && tile.transceiver && tile.state !== 'playing') {
        tile.firstFrameMs ??= performance.now();
        this.#reconnection.succeeded();
        this.#tileState(tile, 'playing');
      }
    };
    tile.cancelFrame?.();
    tile.cancelFrame = null;
    if ('requestVideoFrameCallback' in video) {
      tile.cancelFrame = onFrameReceivedAfter(video, after, () => this.#live(a) && this.#tiles.has(tile), onFrame);
    } else {
      this.#on(a, video, 'playing', onFrame, { once: true });
    }
  }

  #onIceState(a) {
    switch (a.pc.iceConnectionState) {
      case 'connected':
      case 'completed':
        a.connected = true;
        clearTimeout(a.graceTimer);
        a.graceTimer = null;
        if (a.restartTimer !== null) {
          clearTimeout(a.restartTimer);
          a.restartTimer = null;
        }
        this.#setState('connected');
        break;
      case 'disconnected':
        a.graceTimer ??= this.#after(a, ICE_GRACE_MS, () => this.#restartIce(a));
        break;
      case 'failed':
        this.#restartIce(a);
        break;
    }
  }

  /** One ICE restart for every tile: one offer on the same socket. */
  #restartIce(a) {
    clearTimeout(a.graceTimer);
    a.graceTimer = null;
    if (a.restartTimer !== null) return;
    if (a.ws.readyState !== WebSocket.OPEN) {
      this.#retry(a, { error: CLOSE_REASONS.get(4400) }, 'network');
      return;
    }
    this.#iceRestarts++;
    a.restartTimer = this.#after(a, ICE_RESTART_TIMEOUT_MS, () => this.#retry(a, { error: CLOSE_REASONS.get(4400) }, 'network'));
    this.#setState('reconnecting', { error: 'Connection interrupted, restarting ICE' });
    for (const tile of this.#tiles) {
      if (tile.state === 'playing') {
        this.#tileState(tile, 'reconnecting', { error: 'Connection interrupted, restarting ICE' });
        this.#awaitFrame(a, tile);
      }
    }
    this.#negotiate(a, { iceRestart: true });
  }

  #viewportsSoon() {
    clearTimeout(this.#viewportTimer);
    this.#viewportTimer = setTimeout(() => this.#sendViewports(), VIEWPORT_DEBOUNCE_MS);
  }

  /** Reports each tile's shown size and visibility, once it changed: each is encoded no larger than shown. */
  #sendViewports() {
    const a = this.#attempt;
    if (!a?.pc?.remoteDescription) return;
    const dpr = window.devicePixelRatio || 1;
    const pageVisible = document.visibilityState === 'visible';
    for (const tile of this.#tiles) {
      if (!tile.subscribed || tile.mid === null) continue;
      const msg = {
        type: 'viewport',
        mid: tile.mid,
        width: Math.round(tile.video.clientWidth * dpr),
        height: Math.round(tile.video.clientHeight * dpr),
        visible: pageVisible && tile.onScreen,
      };
      const key = `${msg.width}x${msg.height} ${msg.visible}`;
      if (key !== tile.viewport && this.#send(a, msg)) tile.viewport = key;
    }
  }

  #send(a, msg) {
    if (a.ws?.readyState !== WebSocket.OPEN) return false;
    a.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Ends the attempt and connects again after reconnect.js's pause (probing first after a network loss). */
  #retry(a, detail, kind = 'network') {
    if (!this.#live(a)) return;
    console.warn(`wall: attempt ${a.id} ended (${kind}): ${detail.error}`);
    this.#teardown(a);
    const delay = this.#reconnection.schedule(kind);
    this.#setState('reconnecting', { ...detail, retryInMs: delay });
    for (const tile of this.#tiles) {
      if (!TERMINAL.has(tile.state)) this.#tileState(tile, 'reconnecting', { ...detail, retryInMs: delay });
    }
  }

  #networkBack() {
    const a = this.#attempt;
    if (a && a.restartTimer !== null) {
      this.#teardown(a);
      this.#connect();
      return;
    }
    this.#reconnection.now();
  }

  /** The gateway refused the connection for good (a close code that says so): every tile fails. */
  #halt(a, detail) {
    this.stop();
    for (const tile of this.#tiles) this.#tileState(tile, 'failed', detail);
    this.#setState('stopped', detail);
  }

  #teardown(a) {
    this.#attempt = null;
    a.abort.abort();
    a.pc?.close();
    a.ws?.close(1000);
    for (const tile of this.#tiles) {
      tile.transceiver = null;
      tile.subscribed = false;
      tile.mid = null;
      clearTimeout(tile.retryTimer);
      tile.retryTimer = null;
    }
  }

  #setState(state, detail = {}) {
    this.#state = state;
    try {
      this.#onStateChange(state, { attempt: this.#attempts, error: null, code: null, ...detail });
    } catch (err) {
      console.error('wall: onStateChange threw', err);
    }
  }

  #tileState(tile, state, detail = {}) {
    tile.state = state;
    tile.detail = { error: null, code: null, ...detail };
    try {
      this.#onTileStateChange(tile);
    } catch (err) {
      console.error('wall: onTileStateChange threw', err);
    }
  }

  #live(a) {
    return this.#attempt === a;
  }

  #on(a, target, type, fn, options = {}) {
    listenWhile(a.abort.signal, () => this.#live(a), target, type, fn, options);
  }

  #after(a, ms, fn) {
    return timerWhile(a.abort.signal, () => this.#live(a), ms, fn);
  }
}
