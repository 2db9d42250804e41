/** Receive-only WebRTC player for one gateway stream; it keeps reconnecting until stop(). */

const CONNECT_TIMEOUT_MS = 15000;
// `disconnected` often heals by itself (a burst of loss, a Wi-Fi roam); `failed` never does.
const ICE_GRACE_MS = 3000;
const ICE_RESTART_TIMEOUT_MS = 5000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10000;
const VIEWPORT_DEBOUNCE_MS = 250;

const CLOSE_REASONS = new Map([
  [1000, 'Connection closed'],
  [1001, 'The gateway is going away'],
  [1006, 'Lost the connection to the gateway'],
  [1008, 'Too many messages'],
  [1009, 'Message too big'],
  [1011, 'Gateway error'],
  [4400, 'The media connection was lost'],
  [4401, 'Unauthorized'],
  [4403, 'Forbidden'],
  [4404, 'Unknown stream'],
  [4408, 'The gateway got no offer in time'],
  [4503, 'The stream has its maximum number of viewers'],
]);
const FATAL_CLOSE_CODES = new Set([4401, 4403, 4404]);
const BUSY_CLOSE_CODE = 4503;

// What a server `error` means for the attempt. Other codes (bad-candidate, rate-limited, ...)
// leave the session usable, so they are only reported.
const ERROR_POLICY = new Map([
  ['unknown-stream', 'fail'],
  ['busy', 'retry-slowly'],
  ['bad-sdp', 'retry'],
  ['no-video', 'retry'],
  ['source-unavailable', 'retry'],
  ['internal', 'retry'],
]);

/**
 * @typedef {object} StateDetail
 * @property {number} attempt - how many connection attempts have been made so far
 * @property {?string} error - what went wrong, for people
 * @property {?(string|number)} code - the gateway's error code or WebSocket close code
 * @property {number} [retryInMs] - with `reconnecting`: the pause before the next attempt
 */

export class Player {
  #video;
  #socketUrl;
  #onStateChange;
  #state = 'stopped';
  // The live attempt. Every callback carries the attempt it was made for and is ignored
  // unless that is still this one, so a stale socket, peer connection or timer can do nothing.
  #attempt = null;
  #attempts = 0;
  #iceRestarts = 0;
  #failures = 0; // consecutive attempts that never played; drives the backoff
  #firstFrameMs = null; // performance.now() counts from page load, which is what this measures
  #retryTimer = null;
  #running = null; // aborts the listeners that live from start() to stop()

  /**
   * @param {object} options
   * @param {HTMLVideoElement} options.video
   * @param {string} options.stream - the stream name, unencoded
   * @param {string} [options.baseUrl] - the gateway's HTTP(S) URL; defaults to this page's origin
   * @param {(state: string, detail: StateDetail) => void} [options.onStateChange]
   */
  constructor({ video, stream, baseUrl = location.origin, onStateChange = () => {} }) {
    this.#video = video;
    const url = new URL(`ws/${encodeURIComponent(stream)}`, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.#socketUrl = url.href;
    this.#onStateChange = onStateChange;
    // Muted inline autoplay is what Chrome, Firefox and Safari all allow without a click. The
    // attributes are set too: the `muted` attribute is `defaultMuted`, a separate flag that
    // some autoplay policies consult.
    video.muted = true;
    video.playsInline = true;
    video.autoplay = true;
    for (const name of ['muted', 'playsinline', 'autoplay']) video.setAttribute(name, '');
  }

  /** One of `stopped`, `connecting`, `playing`, `reconnecting`, `failed`. */
  get state() {
    return this.#state;
  }

  start() {
    if (this.#state !== 'stopped' && this.#state !== 'failed') return;
    this.#failures = 0;
    this.#running = new AbortController();
    const { signal } = this.#running;
    let debounce;
    const resize = new ResizeObserver(() => {
      clearTimeout(debounce);
      debounce = setTimeout(() => this.#sendViewport(), VIEWPORT_DEBOUNCE_MS);
    });
    resize.observe(this.#video);
    document.addEventListener('visibilitychange', () => this.#sendViewport(), { signal });
    window.addEventListener('online', () => this.#networkBack(), { signal });
    signal.addEventListener('abort', () => {
      resize.disconnect();
      clearTimeout(debounce);
    });
    this.#setState('connecting');
    this.#connect();
  }

  stop() {
    if (this.#state !== 'stopped') this.#halt('stopped');
  }

  /** Counters for debugging and tests; `firstFrameMs` is page load to first rendered frame. */
  stats() {
    const quality = this.#video.getVideoPlaybackQuality?.();
    return {
      state: this.#state,
      attempts: this.#attempts,
      iceRestarts: this.#iceRestarts,
      session: this.#attempt?.session ?? null,
      iceConnectionState: this.#attempt?.pc?.iceConnectionState ?? null,
      firstFrameMs: this.#firstFrameMs,
      framesRendered: quality ? quality.totalVideoFrames - quality.droppedVideoFrames : null,
      framesDropped: quality ? quality.droppedVideoFrames : null,
    };
  }

  #connect() {
    this.#retryTimer = null;
    const a = {
      id: ++this.#attempts,
      abort: new AbortController(),
      ws: new WebSocket(this.#socketUrl),
      pc: null,
      session: null,
      connected: false,
      remoteCandidates: [],
      graceTimer: null,
      restartTimer: null,
      error: null,
      viewport: '',
    };
    this.#attempt = a;
    this.#on(a, a.ws, 'message', (ev) => this.#onMessage(a, ev));
    this.#on(a, a.ws, 'close', (ev) => this.#onClose(a, ev));
    this.#after(a, CONNECT_TIMEOUT_MS, () => {
      if (!a.connected) this.#retry(a, { error: 'Timed out connecting to the stream' });
    });
  }

  #onMessage(a, ev) {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      console.warn(`player: attempt ${a.id}: ignoring a message that is not JSON`);
      return;
    }
    switch (msg.type) {
      case 'hello': this.#onHello(a, msg); break;
      case 'answer': this.#onAnswer(a, msg); break;
      case 'candidate': this.#onRemoteCandidate(a, msg); break;
      case 'error': this.#onServerError(a, msg); break;
      case 'bye': this.#retry(a, { error: msg.reason || CLOSE_REASONS.get(1001) }); break;
      default: break; // newer gateways may send types this player does not know yet
    }
  }

  #onHello(a, msg) {
    if (a.pc) return;
    a.session = msg.session ?? null;
    try {
      a.pc = new RTCPeerConnection({ iceServers: msg.iceServers ?? [] });
    } catch (err) {
      this.#retry(a, { error: `Cannot create the peer connection: ${err.message}` });
      return;
    }
    a.pc.addTransceiver('video', { direction: 'recvonly' });
    this.#on(a, a.pc, 'track', (ev) => this.#onTrack(a, ev));
    this.#on(a, a.pc, 'icecandidate', ({ candidate: c }) => {
      // The end-of-candidates event (null, or an empty string in Firefox) tells the gateway nothing.
      if (c?.candidate) {
        this.#send(a, { type: 'candidate', candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex });
      }
    });
    this.#on(a, a.pc, 'iceconnectionstatechange', () => this.#onIceState(a));
    this.#sendOffer(a, {});
  }

  async #sendOffer(a, options) {
    try {
      const offer = await a.pc.createOffer(options);
      if (!this.#live(a)) return;
      await a.pc.setLocalDescription(offer);
      if (!this.#live(a)) return;
      // Local candidates fire as tasks after this continuation, so the offer always goes first.
      this.#send(a, { type: 'offer', sdp: offer.sdp });
    } catch (err) {
      this.#retry(a, { error: `Cannot create an offer: ${err.message}` });
    }
  }

  async #onAnswer(a, msg) {
    if (a.pc?.signalingState !== 'have-local-offer') {
      console.warn(`player: attempt ${a.id}: ignoring an answer that no offer is waiting for`);
      return;
    }
    try {
      await a.pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
    } catch (err) {
      this.#retry(a, { error: `The gateway's answer was rejected: ${err.message}` });
      return;
    }
    if (!this.#live(a)) return;
    for (const c of a.remoteCandidates.splice(0)) this.#addRemoteCandidate(a, c);
    this.#sendViewport();
  }

  #onRemoteCandidate(a, msg) {
    // Until the answer is applied (also during an ICE restart) candidates may belong to a
    // description the peer connection does not have yet.
    if (a.pc?.remoteDescription && a.pc.signalingState === 'stable') this.#addRemoteCandidate(a, msg);
    else a.remoteCandidates.push(msg);
  }

  #addRemoteCandidate(a, { candidate, sdpMid, sdpMLineIndex }) {
    a.pc.addIceCandidate({ candidate, sdpMid, sdpMLineIndex })
      .catch((err) => console.warn(`player: attempt ${a.id}: remote candidate rejected:`, err.message));
  }

  #onServerError(a, msg) {
    const detail = { error: msg.message || msg.code || 'Gateway error', code: msg.code ?? null };
    const policy = ERROR_POLICY.get(msg.code);
    if (policy === 'fail') {
      this.#fail(a, detail);
    } else if (policy) {
      this.#retry(a, detail, policy === 'retry-slowly');
    } else if (this.#state === 'playing') {
      console.warn(`player: attempt ${a.id}: gateway error ${detail.code}:`, detail.error);
    } else {
      a.error = detail;
      this.#setState(this.#state, detail);
    }
  }

  #onClose(a, ev) {
    const detail = a.error ?? {
      error: ev.reason || CLOSE_REASONS.get(ev.code) || `Connection closed (${ev.code})`,
      code: ev.code,
    };
    if (FATAL_CLOSE_CODES.has(ev.code)) this.#fail(a, detail);
    else this.#retry(a, detail, ev.code === BUSY_CLOSE_CODE);
  }

  #onTrack(a, ev) {
    this.#video.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
    this.#play(a);
    this.#awaitFrame(a);
  }

  #play(a) {
    this.#video.play().catch((err) => {
      // AbortError only means a newer srcObject replaced this one.
      if (!this.#live(a) || err.name !== 'NotAllowedError') return;
      if (!this.#video.muted) {
        this.#video.muted = true;
        this.#play(a);
        return;
      }
      this.#setState(this.#state, { error: 'The browser blocked playback: click the video to start it', code: 'autoplay-blocked' });
      this.#on(a, this.#video, 'click', () => this.#play(a), { once: true });
    });
  }

  #awaitFrame(a) {
    const video = this.#video;
    const onFrame = () => this.#playing(a);
    if ('requestVideoFrameCallback' in video) {
      const handle = video.requestVideoFrameCallback(onFrame);
      a.abort.signal.addEventListener('abort', () => video.cancelVideoFrameCallback(handle), { once: true });
    } else {
      this.#on(a, video, 'loadeddata', onFrame, { once: true });
      this.#on(a, video, 'playing', onFrame, { once: true });
    }
  }

  #playing(a) {
    if (this.#live(a) && this.#state !== 'playing') {
      this.#firstFrameMs ??= performance.now();
      this.#failures = 0;
      this.#setState('playing');
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
          // Without frame callbacks nothing else announces that frames flow again.
          if (!('requestVideoFrameCallback' in this.#video)) this.#playing(a);
        }
        break;
      case 'disconnected':
        a.graceTimer ??= this.#after(a, ICE_GRACE_MS, () => this.#restartIce(a));
        break;
      case 'failed':
        this.#restartIce(a);
        break;
    }
  }

  #restartIce(a) {
    clearTimeout(a.graceTimer);
    a.graceTimer = null;
    if (a.restartTimer !== null) return; // one restart at a time; its deadline decides
    if (a.ws.readyState !== WebSocket.OPEN) {
      this.#retry(a, { error: CLOSE_REASONS.get(4400) });
      return;
    }
    this.#iceRestarts++;
    a.restartTimer = this.#after(a, ICE_RESTART_TIMEOUT_MS, () => this.#retry(a, { error: CLOSE_REASONS.get(4400) }));
    this.#setState('reconnecting', { error: 'Connection interrupted, restarting ICE' });
    this.#awaitFrame(a);
    this.#sendOffer(a, { iceRestart: true });
  }

  #sendViewport() {
    const a = this.#attempt;
    // Before the first answer there is no session on the gateway to apply it to.
    if (!a?.pc?.remoteDescription) return;
    const dpr = window.devicePixelRatio || 1;
    const msg = {
      type: 'viewport',
      width: Math.round(this.#video.clientWidth * dpr),
      height: Math.round(this.#video.clientHeight * dpr),
      visible: document.visibilityState === 'visible',
    };
    const key = `${msg.width}x${msg.height} ${msg.visible}`;
    if (key === a.viewport) return;
    a.viewport = key;
    this.#send(a, msg);
  }

  #send(a, msg) {
    if (a.ws.readyState === WebSocket.OPEN) a.ws.send(JSON.stringify(msg));
  }

  #retry(a, detail, slowly = false) {
    if (!this.#live(a)) return;
    this.#teardown(a);
    const base = slowly ? BACKOFF_MAX_MS : Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.#failures);
    this.#failures++;
    // Jitter keeps a crowd of viewers from reconnecting in lockstep after a gateway restart.
    const delay = Math.round(base * (1 + 0.3 * Math.random()));
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
    this.#setState('reconnecting', { ...detail, retryInMs: delay });
  }

  // The backoff spaces out attempts against a gateway that is down or refusing. When it was this
  // browser's own network that was gone, the next attempt need not wait out the backoff.
  #networkBack() {
    if (this.#retryTimer === null) return;
    clearTimeout(this.#retryTimer);
    this.#connect();
  }

  #fail(a, detail) {
    if (this.#live(a)) this.#halt('failed', detail);
  }

  #halt(state, detail) {
    if (this.#attempt) this.#teardown(this.#attempt);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#running?.abort();
    this.#running = null;
    this.#video.srcObject = null;
    this.#setState(state, detail);
  }

  #teardown(a) {
    this.#attempt = null;
    a.abort.abort(); // detaches every listener and cancels every timer of the attempt
    a.pc?.close();
    a.ws.close(1000);
  }

  #setState(state, detail = {}) {
    this.#state = state;
    try {
      this.#onStateChange(state, { attempt: this.#attempts, error: null, code: null, ...detail });
    } catch (err) {
      console.error('player: onStateChange threw', err);
    }
  }

  #live(a) {
    return this.#attempt === a;
  }

  #on(a, target, type, fn, options = {}) {
    target.addEventListener(type, (ev) => {
      if (this.#live(a)) fn(ev);
    }, { ...options, signal: a.abort.signal });
  }

  #after(a, ms, fn) {
    const timer = setTimeout(() => {
      if (this.#live(a)) fn();
    }, ms);
    a.abort.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    return timer;
  }
}
