/**
 * What the gateway's viewers (player.js for one stream, wall.js for many) share about the
 * gateway's signaling socket, its health check and when a picture is back.
 */
import { PROBE_TIMEOUT_MS } from './reconnect.js';

export const CLOSE_REASONS = new Map([
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
export const FATAL_CLOSE_CODES = new Set([4401, 4403, 4404]);

/** Why a closed socket ends the attempt, as a kind of retry (see reconnect.js). */
export function closeKind(code) {
  if (code === 4503) return 'busy';
  if (code === 1001) return 'going-away';
  if (code === 1006 || code === 4400 || code === 1000) return 'network';
  return 'refused';
}

/** The gateway's signaling WebSocket URL for `path` (`ws/NAME`, or `ws` for a wall), with the token in its query. */
export function socketUrl(base, path, token) {
  const url = new URL(path, base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  // Browsers cannot set headers on a WebSocket, so the token rides in the query.
  if (token) url.searchParams.set('token', token);
  return url.href;
}

/** Whether the gateway answers its health check at `healthUrl` now (within PROBE_TIMEOUT_MS). */
export async function reachable(healthUrl, signal) {
  try {
    const response = await fetch(healthUrl, {
      cache: 'no-store',
      signal: AbortSignal.any ? AbortSignal.any([signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]) : AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return response.ok;
  } catch {
    return false;
  }
}

/** Listens on `target` for one attempt: `fn` runs only while `live()`, and the listener goes with `signal`. */
export function listenWhile(signal, live, target, type, fn, options = {}) {
  target.addEventListener(type, (ev) => {
    if (live()) fn(ev);
  }, { ...options, signal });
}

/** A timer of one attempt: `fn` runs only while `live()`, and the timer goes with `signal`. */
export function timerWhile(signal, live, ms, fn) {
  const timer = setTimeout(() => {
    if (live()) fn();
  }, ms);
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  return timer;
}

/**
 * Calls `fn` at the first frame `video` renders (requestVideoFrameCallback) that was received after
 * `after`, a performance.now() time: frames received before it were in flight, held by the jitter
 * buffer. Waits only while `live()`. Returns a function that cancels the wait.
 */
export function onFrameReceivedAfter(video, after, live, fn) {
  let handle = null;
  const onFrame = (now, metadata) => {
    handle = null;
    if (!live()) return;
    if ((metadata?.receiveTime ?? now) > after) fn();
    else handle = video.requestVideoFrameCallback(onFrame);
  };
  handle = video.requestVideoFrameCallback(onFrame);
  return () => {
    if (handle !== null) video.cancelVideoFrameCallback(handle);
    handle = null;
  };
}
