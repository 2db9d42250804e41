"""GStreamer's RTSP server (gst-rtsp-server), started by the gateway's tests and benchmark.

Serves one mount: an ffmpeg-made clip (MP4 with H.264 or H.265) or a live x264enc test pattern,
over TCP, UDP or both, optionally behind Basic or Digest authentication. Prints one line,
"READY <port>", once it listens; runs until killed.

Run it with Debian's /usr/bin/python3 (python3-gi, gir1.2-gst-rtsp-server-1.0).
"""
import argparse
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtsp', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def pipeline(args):
    if args.clip:
        if args.h265:
            return ('( filesrc location="%s" ! qtdemux ! h265parse ! rtph265pay name=pay0 pt=96 config-interval=-1 )'
                    % args.clip)
        return ('( filesrc location="%s" ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )'
                % args.clip)
    width, rest = args.live.split('x')
    height, fps = rest.split('@')
    gop = args.gop or int(fps)
    return ('( videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! '
            'video/x-raw,framerate=%s/1,format=I420 ! videoscale ! '
            'capsfilter name=size caps=video/x-raw,width=%s,height=%s ! '
            'x264enc tune=zerolatency speed-preset=ultrafast key-int-max=%d bitrate=%d threads=1 ! '
            'video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=-1 aggregate-mode=%s )'
            % (fps, width, height, gop, args.bitrate, args.aggregate))


def resize_later(media, args):
    """Changes the live picture's size mid-stream: x264enc starts over with a new SPS."""
    size = media.get_element().get_by_name('size')
    width, height = args.resize.split('x')

    def resize():
        size.set_property('caps', Gst.Caps.from_string('video/x-raw,width=%s,height=%s' % (width, height)))
        return False

    GLib.timeout_add(int(args.resize_after * 1000), resize)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--mount', default='/cam')
    parser.add_argument('--clip', help='an MP4 file to serve, from its start for each client')
    parser.add_argument('--h265', action='store_true', help='the clip holds H.265')
    parser.add_argument('--live', help='WIDTHxHEIGHT@FPS: a live x264enc test pattern')
    parser.add_argument('--gop', type=int, default=0, help='live: frames between key frames')
    parser.add_argument('--bitrate', type=int, default=1000, help='live: kbit/s')
    parser.add_argument('--aggregate', choices=['none', 'zero-latency', 'max-stap'], default='zero-latency',
                        help='live: how rtph264pay bundles NAL units into STAP-A packets')
    parser.add_argument('--resize', help='live: WIDTHxHEIGHT to switch to after --resize-after seconds')
    parser.add_argument('--resize-after', type=float, default=2.0)
    parser.add_argument('--protocols', choices=['tcp', 'udp', 'both'], default='both')
    parser.add_argument('--auth', choices=['none', 'basic', 'digest'], default='none')
    parser.add_argument('--user', default='')
    parser.add_argument('--password', default='')
    parser.add_argument('--session-timeout', type=int, default=0,
                        help='seconds a session lives without a keep-alive (GStreamer: 60)')
    parser.add_argument('--shared', action='store_true', help='one pipeline for every client')
    args = parser.parse_args()
    if not args.clip and not args.live:
        parser.error('give --clip or --live')

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(pipeline(args))
    factory.set_shared(args.shared)
    factory.set_protocols({
        'tcp': GstRtsp.RTSPLowerTrans.TCP,
        'udp': GstRtsp.RTSPLowerTrans.UDP,
        'both': GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP,
    }[args.protocols])
    if args.auth != 'none':
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string('media.factory.role', 'user')
        if args.auth == 'basic':
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
        else:
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
            auth.add_digest(args.user, args.password, token)
        server.set_auth(auth)
        factory.add_role_from_structure(Gst.Structure.new_from_string(
            'user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true'))
    if args.resize:
        factory.connect('media-configure', lambda f, media: resize_later(media, args))
    if args.session_timeout:
        server.connect('client-connected', lambda s, client: client.connect(
            'new-session', lambda c, session: session.set_timeout(args.session_timeout)))
        pool = server.get_session_pool()
        # Expired sessions go only when the pool is cleaned, as gst-rtsp-server's own examples do.
        GLib.timeout_add(500, lambda: pool.cleanup() >= 0)
    server.get_mount_points().add_factory(args.mount, factory)
    if server.attach(None) == 0:
        print('FAILED cannot listen on port %d' % args.port, flush=True)
        sys.exit(1)
    print('READY %d' % server.get_bound_port(), flush=True)
    GLib.MainLoop().run()


if __name__ == '__main__':
    main()
