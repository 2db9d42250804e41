// Loaded by JanusPublishBrowserTest into a page of Janus' own origin (its HTTP API's /janus/info),
// so the page talks to Janus' HTTP API directly: window.janusApi for the test's questions,
// window.subscribe(n) to watch the room's publisher in the page's n-th <video> (0 by default; one
// peer connection each, as n viewers would), and the test's log of the first video's frames.
document.body.innerHTML = '<video autoplay muted playsinline width="640" height="360"></video>';
window.subscriptions = [];
const ROOM = 1234;
function transaction() { return Math.random().toString(36).slice(2); }
async function post(path, body) {
  window.lastRequest = { path, janus: body.janus, request: body.body && body.body.request };
  const response = await fetch(path, { method: 'POST', signal: AbortSignal.timeout(10000),
    body: JSON.stringify({ transaction: transaction(), ...body }) });
  const json = await response.json();
  if (json.janus === 'error') throw new Error(path + ': ' + JSON.stringify(json.error));
  return json;
}
async function session() {
  const sid = (await post('/janus', { janus: 'create' })).data.id;
  const hid = (await post('/janus/' + sid, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data.id;
  return { sid, hid, handle: '/janus/' + sid + '/' + hid };
}
window.janusApi = {
  /** The room's participants as VideoRoom lists them ({id, display, publisher}). */
  async participants() {
    const s = await session();
    try {
      const answer = await post(s.handle, { janus: 'message', body: { request: 'listparticipants', room: ROOM } });
      const data = answer.plugindata.data;
      if (data.videoroom !== 'participants') throw new Error('listparticipants: ' + JSON.stringify(data));
      return data.participants;
    } finally {
      post('/janus/' + s.sid, { janus: 'destroy' }).catch(() => {});
    }
  },
};
window.frameLog = [];
// One Janus session for every viewer of the page, each viewer a handle of its own (and a peer
// connection of its own), so that one long poll carries all their events: Chromium keeps at most
// six connections to a host, and a long poll per viewer would take them all.
let viewerSession = null;
async function viewers() {
  if (viewerSession) return viewerSession;
  const sid = (await post('/janus', { janus: 'create' })).data.id;
  viewerSession = { sid, events: [] };
  (async () => {
    while (viewerSession && viewerSession.sid === sid) {
      try {
        const got = await (await fetch('/janus/' + sid + '?maxev=10&rid=' + Date.now())).json();
        for (const event of [].concat(got)) viewerSession.events.push(event);
      } catch (e) {
        return;
      }
    }
  })();
  return viewerSession;
}
window.subscribe = async function (n = 0) {
  if (window.subscriptions[n]) window.subscriptions[n].stop();
  while (document.querySelectorAll('video').length <= n) {
    document.body.insertAdjacentHTML('beforeend', '<video autoplay muted playsinline width="160" height="90"></video>');
  }
  const publishers = (await window.janusApi.participants()).filter(p => p.publisher);
  if (publishers.length !== 1) throw new Error('publishers in the room: ' + JSON.stringify(publishers));
  const session = await viewers();
  const hid = (await post('/janus/' + session.sid, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data.id;
  const s = { sid: session.sid, hid, handle: '/janus/' + session.sid + '/' + hid };
  const events = session.events;
  await post(s.handle, { janus: 'message',
    body: { request: 'join', ptype: 'subscriber', room: ROOM, streams: [{ feed: publishers[0].id }] } });
  const deadline = Date.now() + 10000;
  let offer;
  while (!(offer = events.find(e => e.sender === hid && e.jsep && e.jsep.type === 'offer'))) {
    if (Date.now() > deadline) throw new Error('no offer from Janus: ' + JSON.stringify(events));
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  window.lastRequest = { step: 'answer', n };
  const pc = new RTCPeerConnection();
  const video = document.querySelectorAll('video')[n];
  pc.ontrack = event => { video.srcObject = event.streams[0] || new MediaStream([event.track]); };
  await pc.setRemoteDescription(offer.jsep);
  await pc.setLocalDescription(await pc.createAnswer());
  // All candidates in the answer: no trickle requests to make.
  await new Promise(resolve => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    setTimeout(resolve, 3000);
  });
  window.lastRequest = { step: 'gathered', n };
  await post(s.handle, { janus: 'message', body: { request: 'start', room: ROOM },
    jsep: { type: 'answer', sdp: pc.localDescription.sdp } });
  window.subscriptions[n] = {
    pc, feed: publishers[0].id,
    stop() { pc.close(); post(s.handle, { janus: 'detach' }).catch(() => {}); },
  };
  return publishers[0].id;
};
