"""waitress as `serve` runs it: limits for a read-only service, and our security headers on
the answers waitress writes itself (malformed requests, bodies or headers too large, its 500)."""

from __future__ import annotations

import logging
import resource

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

from search_service.web.security import HEADERS

# Descriptors a process needs besides its connections: index segments, logs, the listener.
SPARE_FILES = 128


class HeaderedErrorTask(ErrorTask):
    """waitress's own error answer (400, 413, 431, 500...) with our security headers."""

    def execute(self) -> None:
        # ErrorTask adds its Content-Type, Content-Length and Connection after these.
        self.response_headers.extend(HEADERS.items())
        super().execute()


class Channel(HTTPChannel):
    """waitress's HTTP channel, answering its own errors with HeaderedErrorTask."""

    # waitress writes these answers itself, straight to the socket, and never calls the app
    # for them, so no WSGI middleware can add a header. HTTPChannel.error_task_class is the
    # one class waitress 3.0.2 makes every such answer with: parser errors (bad request
    # line, 413 body, 431 headers, chunking errors) and its 500 when the app raises before
    # answering (channel.service). Replacing it keeps waitress's own response code paths.
    error_task_class = HeaderedErrorTask


def waitress_limits(settings: dict) -> dict:
    """waitress's adjustments from our settings (config.py says why each has its default)."""
    timeout = int(settings["CHANNEL_TIMEOUT"])
    return {
        "connection_limit": int(settings["CONNECTION_LIMIT"]),
        "channel_timeout": timeout,
        # Idle channels are looked for this often: waitress's 30 s would let one idle twice
        # as long as the timeout says.
        "cleanup_interval": max(1, min(10, timeout)),
        "max_request_body_size": int(settings["MAX_REQUEST_BODY"]),
        "max_request_header_size": int(settings["MAX_REQUEST_HEADER"]),
        # select() cannot watch a descriptor above 1024; poll() has no such limit.
        "asyncore_use_poll": True,
    }


def _allow_open_files(connections: int) -> None:
    # Every connection is a descriptor; a process out of them cannot accept (waitress would
    # spin on the listener), so raise the soft limit toward the hard one when it is short.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        if new < wanted:
            logging.getLogger("waitress").warning(
                "open files limited to %d: fewer than %d connections fit", new, connections
            )


def make_server(app: Flask, threads: int, **where):
    """A waitress server for app, listening where asked (host/port or sockets), not started."""
    limits = waitress_limits(app.config)
    _allow_open_files(limits["connection_limit"])
    servers: dict = {}
    server = create_server(app, map=servers, threads=threads, ident="dhr-search", **limits, **where)
    # create_server takes no channel class; each listening server it registered in the map
    # makes one per accepted connection, and none is accepted before run().
    for dispatcher in list(servers.values()):
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = Channel
    return server


def serve(app: Flask, threads: int, **where) -> None:
    """Serve app until stopped, as waitress.serve does, with our limits and error headers."""
    server = make_server(app, threads, **where)
    logging.basicConfig()  # as waitress.serve: its warnings (connection limit...) reach stderr
    server.print_listen("Serving on http://{}:{}")
    server.run()
