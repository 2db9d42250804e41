/**
 * Receive-only WebRTC player for one gateway stream; it keeps reconnecting until stop(), or until
 * the stream has ended or failed for good. It signals over the gateway's WebSocket, or over WHEP
 * (`signaling: 'whep'`).
 */
import { probeDelay, Reconnection } from './reconnect.js';
import {
  CLOSE_REASONS, FATAL_CLOSE_CODES, closeKind, listenWhile, onFrameReceivedAfter, reachable, socketUrl, timerWhile,
} from './connection.js';

// From the attempt's start to the gateway's hello (WebSocket) or answer (WHEP): a socket opened
// while the network is away would otherwise hang for the browser's own, much longer, timeout.
const OPEN_TIMEOUT_MS = 4000;
// From the answer to ICE connected.
const ICE_CONNECT_TIMEOUT_MS = 10000;
// `disconnected` often heals by itself (a burst of loss, a Wi-Fi roam); `failed` never does.
const ICE_GRACE_MS = 3000;
const ICE_RESTART_TIMEOUT_MS = 5000;
// A restart still unanswered this long after the gateway answers a probe was sent into a dead
// connection: a fresh one is quicker than waiting for it.
const RESTART_STALL_MS = 1500;
const VIEWPORT_DEBOUNCE_MS = 250;
// WHEP cannot trickle before the session exists, so the offer waits this long for candidates.
const WHEP_GATHER_MS = 1500;
// The label of the data channel a WHEP viewer opens for viewport reports and the gateway's notices.
const CHANNEL_LABEL = 'gateway';

// What a WHEP POST's refusal means for the attempt; any other status is retried.
const WHEP_STATUS_POLICY = new Map([
  [401, 'fail'],
  [403, 'fail'],
  [404, 'fail'],
  [410, 'end'],
  [502, 'fail'],
  [503, 'busy'],
]);
const SDP_FRAGMENT = 'application/trickle-ice-sdpfrag';

// What a server `error` means for the attempt. Other codes (bad-candidate, rate-limited, ...)
// leave the session usable, so they are only reported.
const ERROR_POLICY = new Map([
  ['unknown-stream', 'fail'],
  ['unauthorized', 'fail'],
  ['forbidden', 'fail'],
  ['source-failed', 'fail'],
  ['source-ended', 'end'],
  ['source-unavailable', 'wait'],
  ['busy', 'busy'],
  ['bad-sdp', 'refused'],
  ['no-video', 'refused'],
  ['internal', 'refused'],
]);

/**
 * @typedef {object} StateDetail
 * @property {number} attempt - how many connection attempts have been made so far
 * @property {?string} error - what went wrong, for people
 * @property {?(string|number)} code - the gateway's error code, WebSocket close code or HTTP status
 * @property {number} [retryInMs] - with `reconnecting`: the pause before the next attempt or probe
 */

export class Player {
  #video;
  #base;
  #socketUrl;
  #whepUrl = null; // set when signaling over WHEP
  #healthUrl;
  #iceTransportPolicy;
  #token;
  #onStateChange;
  #state = 'stopped';
  // The live attempt. Every callback carries the attempt it was made for and is ignored
  // unless that is still this one, so a stale socket, peer connection or timer can do nothing.
  #attempt = null;
  #attempts = 0;
  #iceRestarts = 0;
  #reconnection; // the pause between attempts (reconnect.js)
  #firstFrameMs = null; // performance.now() counts from page load, which is what this measures
  #running = null; // aborts the listeners that live from start() to stop()

  /**
   * @param {object} options
   * @param {HTMLVideoElement} options.video
   * @param {string} options.stream - the stream name, unencoded
   * @param {string} [options.baseUrl] - the gateway's HTTP(S) URL; defaults to this page's origin
   * @param {'ws'|'whep'} [options.signaling] - the gateway's WebSocket (default) or WHEP
   * @param {string} [options.token] - the access token, when the gateway asks for one
   * @param {RTCIceTransportPolicy} [options.iceTransportPolicy] - `relay` to use only TURN relays
   * @param {(state: string, detail: StateDetail) => void} [options.onStateChange]
   */
  constructor({ video, stream, baseUrl = location.origin, signaling = 'ws', token = null, iceTransportPolicy = 'all', onStateChange = () => {} }) {
    this.#video = video;
    const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
    this.#base = base;
    this.#socketUrl = socketUrl(base, `ws/${encodeURIComponent(stream)}`, token);
    if (signaling === 'whep') this.#whepUrl = new URL(`whep/${encodeURIComponent(stream)}`, base).href;
    this.#healthUrl = new URL('healthz', base).href;
    this.#iceTransportPolicy = iceTransportPolicy;
    this.#token = token;
    this.#onStateChange = onStateChange;
    this.#reconnection = new Reconnection({ connect: () => this.#connect(), reachable: (signal) => this.#reachable(signal) });
    // Muted inline autoplay is what Chrome, Firefox and Safari all allow without a click. The
    // attributes are set too: the `muted` attribute is `defaultMuted`, a separate flag that
    // some autoplay policies consult.
    video.muted = true;
    video.playsInline = true;
    video.autoplay = true;
    for (const name of ['muted', 'playsinline', 'autoplay']) video.setAttribute(name, '');
  }

  /**
   * One of `stopped`, `connecting`, `playing`, `waiting` (connected, but the stream's source is
   * unavailable for now: the picture resumes by itself), `reconnecting`, and the terminal
   * `ended` (the stream has finished) and `failed` (it cannot be played; the detail says why).
   */
  get state() {
    return this.#state;
  }

  start() {
    if (this.#state !== 'stopped' && this.#state !== 'failed' && this.#state !== 'ended') return;
    this.#reconnection.succeeded();
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

  /** The live peer connection's `RTCStatsReport`, or null between attempts. */
  async getStats() {
    const pc = this.#attempt?.pc;
    return pc ? pc.getStats() : null;
  }

  /**
   * The ICE candidate pair media flows over, as `{ local, remote }` candidate stats (each with
   * `candidateType`, `address`, `port`, `protocol`), or null before ICE has selected one.
   */
  async selectedCandidatePair() {
    const report = await this.getStats();
    if (!report) return null;
    let pair = null;
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
    });
    // Browsers without transport stats mark the pair itself.
    if (!pair) report.forEach((s) => { if (s.type === 'candidate-pair' && s.selected) pair = s; });
    if (!pair) return null;
    const pick = (c) => c && { candidateType: c.candidateType, address: c.address, port: c.port, protocol: c.protocol };
    return { local: pick(report.get(pair.localCandidateId)), remote: pick(report.get(pair.remoteCandidateId)) };
  }

  #connect() {
    const a = {
      id: ++this.#attempts,
      abort: new AbortController(),
      ws: null,
      pc: null,
      dc: null,
      session: null,
      connected: false,
      remoteCandidates: [],
      openTimer: null,
      iceTimer: null,
      graceTimer: null,
      restartTimer: null,
      restartedAt: 0,
      error: null,
      viewport: '',
      // WHEP only: the session resource, its ICE session's tag, candidates to trickle.
      resource: null,
      etag: null,
      offerSent: false,
      restarting: false,
      localCandidates: [],
    };
    this.#attempt = a;
    a.openTimer = this.#after(a, OPEN_TIMEOUT_MS,
      () => this.#retry(a, { error: 'The gateway did not answer in time' }, 'network'));
    if (this.#whepUrl) {
      this.#connectWhep(a);
      return;
    }
    a.ws = new WebSocket(this.#socketUrl);
    this.#on(a, a.ws, 'message', (ev) => this.#onMessage(a, ev.data));
    this.#on(a, a.ws, 'close', (ev) => this.#onClose(a, ev));
  }

  /** The gateway has answered this attempt: from here, ICE has its own deadline. */
  #answered(a) {
    clearTimeout(a.openTimer);
    a.openTimer = null;
    a.iceTimer ??= this.#after(a, ICE_CONNECT_TIMEOUT_MS, () => {
      if (!a.connected) this.#retry(a, { error: 'Timed out connecting to the stream' }, 'network');
    });
  }

  /** Asks a WHEP endpoint for its ICE servers before offering, so that the offer's gathering can use TURN. */
  async #whepIceServers() {
    try {
      const response = await fetch(this.#whepUrl, { method: 'OPTIONS', headers: this.#whepHeaders() });
      return iceServersFrom(response.headers.get('Link'));
    } catch {
      return []; // a WHEP server that says nothing to OPTIONS: its answer's Link headers still count
    }
  }

  async #connectWhep(a) {
    const iceServers = await this.#whepIceServers();
    if (!this.#live(a)) return;
    try {
      a.pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: this.#iceTransportPolicy });
    } catch (err) {
      this.#retry(a, { error: `Cannot create the peer connection: ${err.message}` }, 'refused');
      return;
    }
    a.pc.addTransceiver('video', { direction: 'recvonly' });
    a.dc = a.pc.createDataChannel(CHANNEL_LABEL);
    this.#on(a, a.dc, 'open', () => this.#sendViewport());
    this.#on(a, a.dc, 'message', (ev) => this.#onMessage(a, ev.data));
    this.#on(a, a.pc, 'track', (ev) => this.#onTrack(a, ev));
    this.#on(a, a.pc, 'iceconnectionstatechange', () => this.#onIceState(a));
    this.#on(a, a.pc, 'icecandidate', ({ candidate: c }) => {
      // Candidates from before the POST are in its offer; later ones go out with PATCH.
      if (c?.candidate && a.offerSent) {
        a.localCandidates.push(c);
        this.#trickleWhep(a);
      }
    });
    let response;
    try {
      await a.pc.setLocalDescription(await a.pc.createOffer());
      if (!this.#live(a)) return;
      await this.#gathered(a);
      a.offerSent = true;
      response = await fetch(this.#whepUrl, {
        method: 'POST',
        headers: this.#whepHeaders({ 'Content-Type': 'application/sdp' }),
        body: a.pc.localDescription.sdp,
      });
    } catch (err) {
      this.#retry(a, { error: `Cannot reach the gateway: ${err.message}` }, 'network');
      return;
    }
    const location = response.headers.get('Location');
    const resource = response.status === 201 && location ? new URL(location, this.#whepUrl).href : null;
    if (!this.#live(a)) {
      if (resource) fetch(resource, { method: 'DELETE', headers: this.#whepHeaders() }).catch(() => {});
      return;
    }
    if (!resource) {
      const text = (await response.text().catch(() => '')).trim();
      const detail = { error: text || `The gateway answered ${response.status}`, code: response.status };
      this.#apply(a, WHEP_STATUS_POLICY.get(response.status) ?? 'refused', detail);
      return;
    }
    a.resource = resource;
    a.etag = response.headers.get('ETag');
    a.session = new URL(resource).pathname.split('/').pop();
    const sessionServers = iceServersFrom(response.headers.get('Link'));
    try {
      // The session's own TURN credentials, for its ICE restarts.
      if (sessionServers.length) a.pc.setConfiguration({ ...a.pc.getConfiguration(), iceServers: sessionServers });
    } catch (err) {
      console.warn(`player: attempt ${a.id}: ignoring the gateway's ICE servers:`, err.message);
    }
    try {
      const answer = await response.text();
      if (!this.#live(a)) return;
      await a.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    } catch (err) {
      this.#retry(a, { error: `The gateway's answer was rejected: ${err.message}` }, 'refused');
      return;
    }
    this.#answered(a);
    this.#trickleWhep(a);
  }

  /** Resolves once ICE gathering completes, or after WHEP_GATHER_MS; never if the attempt ends. */
  #gathered(a) {
    return new Promise((resolve) => {
      if (a.pc.iceGatheringState === 'complete') {
        resolve();
        return;
      }
      this.#on(a, a.pc, 'icegatheringstatechange', () => {
        if (a.pc.iceGatheringState === 'complete') resolve();
      });
      this.#after(a, WHEP_GATHER_MS, resolve);
    });
  }

  #trickleWhep(a) {
    if (!a.resource || a.restarting || !a.localCandidates.length) return;
    const { ufrag, pwd } = iceCredentials(a.pc.localDescription.sdp);
    // Candidates of an ICE session that a restart replaced would only be refused.
    const candidates = a.localCandidates.splice(0).filter((c) => !c.usernameFragment || c.usernameFragment === ufrag);
    if (!candidates.length) return;
    const mid = a.pc.getTransceivers()[0]?.mid ?? '0';
    const body = `a=ice-ufrag:${ufrag}\r\na=ice-pwd:${pwd}\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:${mid}\r\n`
      + candidates.map((c) => `a=${c.candidate}\r\n`).join('');
    const headers = this.#whepHeaders({ 'Content-Type': SDP_FRAGMENT });
    if (a.etag) headers['If-Match'] = a.etag;
    fetch(a.resource, { method: 'PATCH', headers, body })
      .then((response) => {
        if (!response.ok) console.warn(`player: attempt ${a.id}: candidates refused (${response.status})`);
      })
      .catch((err) => console.warn(`player: attempt ${a.id}: cannot send candidates:`, err.message));
  }

  /** Headers for a WHEP request, with the access token as a bearer when there is one. */
  #whepHeaders(headers = {}) {
    return this.#token ? { ...headers, Authorization: `Bearer ${this.#token}` } : headers;
  }

  /**
   * WHEP's ICE restart: new credentials go out in a PATCH, and the gateway's new credentials and
   * candidates come back as a fragment that turns the current answer into the restarted one.
   */
  async #restartWhep(a) {
    a.restarting = true;
    try {
      const offer = await a.pc.createOffer({ iceRestart: true });
      if (!this.#live(a)) return;
      await a.pc.setLocalDescription(offer);
      if (!this.#live(a)) return;
      const { ufrag, pwd } = iceCredentials(offer.sdp);
      const response = await fetch(a.resource, {
        method: 'PATCH',
        headers: this.#whepHeaders({ 'Content-Type': SDP_FRAGMENT, 'If-Match': '*' }),
        body: `a=ice-ufrag:${ufrag}\r\na=ice-pwd:${pwd}\r\n`,
      });
      if (!this.#live(a)) return;
      if (response.status !== 200) {
        this.#retry(a, { error: CLOSE_REASONS.get(4400), code: response.status }, 'network');
        return;
      }
      a.etag = response.headers.get('ETag');
      const fragment = await response.text();
      const gateway = iceCredentials(fragment);
      const candidates = fragment.match(/^a=(candidate:.*|end-of-candidates)\r?$/gm) ?? [];
      const lines = a.pc.remoteDescription.sdp.split(/\r\n/)
        .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
        .map((line) => line.replace(/^a=ice-ufrag:.*/, `a=ice-ufrag:${gateway.ufrag}`)
          .replace(/^a=ice-pwd:.*/, `a=ice-pwd:${gateway.pwd}`));
      const mid = lines.findIndex((line) => line.startsWith('a=mid:'));
      lines.splice(mid + 1, 0, ...candidates.map((line) => line.trim()));
      if (!this.#live(a)) return;
      await a.pc.setRemoteDescription({ type: 'answer', sdp: lines.join('\r\n') });
    } catch (err) {
      this.#retry(a, { error: `ICE restart failed: ${err.message}` }, 'network');
      return;
    }
    a.restarting = false;
    this.#trickleWhep(a);
  }

  /** A message from the gateway, on the WebSocket or (WHEP) the data channel. */
  #onMessage(a, data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      console.warn(`player: attempt ${a.id}: ignoring a message that is not JSON`);
      return;
    }
    switch (msg.type) {
      case 'hello': this.#onHello(a, msg); break;
      case 'answer': this.#onAnswer(a, msg); break;
      case 'candidate': this.#onRemoteCandidate(a, msg); break;
      case 'error': this.#onServerError(a, msg); break;
      case 'bye': this.#retry(a, { error: msg.reason || CLOSE_REASONS.get(1001) }, 'going-away'); break;
      default: break; // newer gateways may send types this player does not know yet
    }
  }

  #onHello(a, msg) {
    if (a.pc) {
      // A new session replaced one whose first negotiation failed: it has an id of its own.
      a.session = msg.session ?? a.session;
      return;
    }
    a.session = msg.session ?? null;
    clearTimeout(a.openTimer);
    a.openTimer = this.#after(a, OPEN_TIMEOUT_MS,
      () => this.#retry(a, { error: 'The gateway did not answer the offer in time' }, 'network'));
    try {
      a.pc = new RTCPeerConnection({ iceServers: msg.iceServers ?? [], iceTransportPolicy: this.#iceTransportPolicy });
    } catch (err) {
      this.#retry(a, { error: `Cannot create the peer connection: ${err.message}` }, 'refused');
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
      this.#retry(a, { error: `Cannot create an offer: ${err.message}` }, 'refused');
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
      this.#retry(a, { error: `The gateway's answer was rejected: ${err.message}` }, 'refused');
      return;
    }
    if (!this.#live(a)) return;
    this.#answered(a);
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
    if (policy) {
      this.#apply(a, policy, detail);
    } else if (this.#state === 'playing') {
      console.warn(`player: attempt ${a.id}: gateway error ${detail.code}:`, detail.error);
    } else {
      a.error = detail;
      this.#setState(this.#state, detail);
    }
  }

  /** Acts on what the gateway said of this attempt: stop for good, wait for the source, or retry. */
  #apply(a, policy, detail) {
    switch (policy) {
      case 'fail': this.#fail(a, detail); break;
      case 'end': this.#end(a, detail); break;
      case 'wait': this.#waitForSource(a, detail); break;
      default: this.#retry(a, detail, policy); break;
    }
  }

  /**
   * The stream's source is unavailable for now (a camera gone): the session stays, and the
   * picture comes back on it by itself once the source does.
   */
  #waitForSource(a, detail) {
    if (!this.#live(a)) return;
    this.#setState('waiting', detail);
    // Frames received before the notice were in flight (the jitter buffer holds some): only one
    // received after it shows that the source is back.
    this.#awaitFrame(a, performance.now());
  }

  #onClose(a, ev) {
    const detail = a.error ?? {
      error: ev.reason || CLOSE_REASONS.get(ev.code) || `Connection closed (${ev.code})`,
      code: ev.code,
    };
    if (FATAL_CLOSE_CODES.has(ev.code)) this.#fail(a, detail);
    else this.#retry(a, detail, closeKind(ev.code));
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

  /** Announces `playing` at the first frame rendered that was received after `after` (performance.now()). */
  #awaitFrame(a, after = -Infinity) {
    const video = this.#video;
    if ('requestVideoFrameCallback' in video) {
      const cancel = onFrameReceivedAfter(video, after, () => this.#live(a), () => this.#playing(a));
      a.abort.signal.addEventListener('abort', cancel, { once: true });
    } else {
      const onFrame = () => this.#playing(a);
      this.#on(a, video, 'loadeddata', onFrame, { once: true });
      this.#on(a, video, 'playing', onFrame, { once: true });
    }
  }

  #playing(a) {
    if (this.#live(a) && this.#state !== 'playing') {
      this.#firstFrameMs ??= performance.now();
      this.#reconnection.succeeded();
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
    const signaling = this.#whepUrl ? a.resource : a.ws.readyState === WebSocket.OPEN;
    if (!signaling) {
      this.#retry(a, { error: CLOSE_REASONS.get(4400) }, 'network');
      return;
    }
    this.#iceRestarts++;
    a.restartedAt = performance.now();
    a.restartTimer = this.#after(a, ICE_RESTART_TIMEOUT_MS, () => this.#retry(a, { error: CLOSE_REASONS.get(4400) }, 'network'));
    this.#setState('reconnecting', { error: 'Connection interrupted, restarting ICE' });
    this.#awaitFrame(a);
    this.#probeDuringRestart(a);
    if (this.#whepUrl) this.#restartWhep(a);
    else this.#sendOffer(a, { iceRestart: true });
  }

  /**
   * While an ICE restart is pending, checks whether the gateway can be reached at all: when it
   * can and the restart still has no answer, the restart went into a connection that died with
   * the network, and a fresh attempt is quicker than that restart's deadline.
   */
  async #probeDuringRestart(a) {
    while (this.#live(a) && a.restartTimer !== null) {
      const reachable = await this.#reachable(a.abort.signal);
      if (!this.#live(a) || a.restartTimer === null) return;
      if (reachable && performance.now() - a.restartedAt >= RESTART_STALL_MS) {
        this.#teardown(a);
        this.#connect();
        return;
      }
      await new Promise((resolve) => this.#after(a, reachable ? 250 : probeDelay(), resolve));
    }
  }

  /** Whether the gateway answers its health check now. */
  #reachable(signal) {
    return reachable(this.#healthUrl, signal);
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
    if (this.#send(a, msg)) a.viewport = key;
  }

  /** Sends a message on the WebSocket, or (WHEP) the data channel; false if neither is open. */
  #send(a, msg) {
    if (a.ws?.readyState === WebSocket.OPEN) {
      a.ws.send(JSON.stringify(msg));
      return true;
    }
    if (a.dc?.readyState === 'open') {
      a.dc.send(JSON.stringify(msg));
      return true;
    }
    return false;
  }

  /**
   * Ends the attempt and tries again: at once after probes for a network that went away, after a
   * spread-out pause for a gateway that went away, after a backoff otherwise (reconnect.js).
   */
  #retry(a, detail, kind = 'network') {
    if (!this.#live(a)) return;
    this.#teardown(a);
    const delay = this.#reconnection.schedule(kind);
    this.#setState('reconnecting', { ...detail, retryInMs: delay });
  }

  // The browser reports its network back: whatever was waiting for it (a pause, a probe, an ICE
  // restart whose offer went into a connection that died with the network) is overtaken by a fresh
  // attempt at once, on new sockets.
  #networkBack() {
    const a = this.#attempt;
    if (a && a.restartTimer !== null) {
      this.#teardown(a);
      this.#connect();
      return;
    }
    this.#reconnection.now();
  }

  #fail(a, detail) {
    if (this.#live(a)) this.#halt('failed', detail);
  }

  #end(a, detail) {
    if (this.#live(a)) this.#halt('ended', detail);
  }

  #halt(state, detail) {
    if (this.#attempt) this.#teardown(this.#attempt);
    this.#reconnection.cancel();
    this.#running?.abort();
    this.#running = null;
    this.#video.srcObject = null;
    this.#setState(state, detail);
  }

  #teardown(a) {
    this.#attempt = null;
    a.abort.abort(); // detaches every listener and cancels every timer of the attempt
    a.dc?.close();
    a.pc?.close();
    a.ws?.close(1000);
    // keepalive: the DELETE must outlive a page that is going away.
    if (a.resource) fetch(a.resource, { method: 'DELETE', keepalive: true, headers: this.#whepHeaders() }).catch(() => {});
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
    listenWhile(a.abort.signal, () => this.#live(a), target, type, fn, options);
  }

  #after(a, ms, fn) {
    return timerWhile(a.abort.signal, () => this.#live(a), ms, fn);
  }
}

/** The first a=ice-ufrag and a=ice-pwd of an SDP or fragment. */
function iceCredentials(sdp) {
  return {
    ufrag: sdp.match(/^a=ice-ufrag:(.*?)\r?$/m)?.[1],
    pwd: sdp.match(/^a=ice-pwd:(.*?)\r?$/m)?.[1],
  };
}

/** ICE servers from WHEP's `Link: <url>; rel="ice-server"; username=...; credential=...` headers. */
function iceServersFrom(header) {
  if (!header) return [];
  const servers = [];
  for (const link of header.split(/,\s*(?=<)/)) {
    const url = link.match(/^\s*<([^>]*)>/)?.[1];
    const params = {};
    for (const [, key, quoted, bare] of link.matchAll(/;\s*([\w-]+)=(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g)) {
      params[key.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : bare;
    }
    if (!url || params.rel !== 'ice-server') continue;
    const server = { urls: url };
    if (params.username !== undefined) server.username = params.username;
    if (params.credential !== undefined) server.credential = params.credential;
    servers.push(server);
  }
  return servers;
}
