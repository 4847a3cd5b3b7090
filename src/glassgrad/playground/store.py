"""The live sessions of one server: at most MAX_SESSIONS, the least recently used first
to go.

Each browser tab makes its own session. When the store is full, a new session takes the
place of the least recently used one if that one has been idle for IDLE_SECONDS (a tab
closed or forgotten); if every session is in use, the new one is refused (HTTP 429) rather
than pulling the model out from under an open tab. Ids are random (``secrets``), so one
tab cannot guess another's.
"""

import secrets
import threading
import time
from collections import OrderedDict

from . import limits


class TooManySessions(Exception):
    """Every session slot is held by a recently active tab."""


class UnknownSession(Exception):
    """No session has this id (never made, or evicted)."""


class SessionStore:
    def __init__(self, capacity=limits.MAX_SESSIONS, idle_seconds=limits.IDLE_SECONDS, clock=time.monotonic):
        self.capacity = capacity
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._sessions = OrderedDict()  # id -> (session, last use); least recently used first
        self._lock = threading.Lock()

    def new_id(self):
        return secrets.token_urlsafe(12)

    def add(self, session):
        """Store ``session`` (its ``id`` set by the caller from new_id), evicting the least
        recently used one if the store is full and that one is idle."""
        with self._lock:
            if len(self._sessions) >= self.capacity:
                self._refuse_if_busy()
                self._sessions.popitem(last=False)  # the least recently used, idle long enough
            self._sessions[session.id] = (session, self.clock())

    def room(self):
        """Raise TooManySessions now if ``add`` would (so a full server refuses before
        building a network)."""
        with self._lock:
            if len(self._sessions) >= self.capacity:
                self._refuse_if_busy()

    def _refuse_if_busy(self):
        """The store is full: refuse unless its least recently used session is idle."""
        _, (_, last) = next(iter(self._sessions.items()))
        if self.clock() - last < self.idle_seconds:
            raise TooManySessions(
                f"too many sessions at once: expected at most {self.capacity} playground tabs "
                f"in use (each used in the last {self.idle_seconds:g} s); close one and retry")

    def get(self, session_id):
        """The session ``session_id``, marked as just used."""
        with self._lock:
            entry = self._sessions.get(session_id)
            if entry is None:
                raise UnknownSession(f"no session {session_id!r}: it was never made or was closed "
                                     "to make room for others; start a new one (POST /api/session)")
            self._sessions[session_id] = (entry[0], self.clock())
            self._sessions.move_to_end(session_id)
            return entry[0]

    def remove(self, session_id):
        """Forget session ``session_id`` (a tab closed, or moved to new settings)."""
        with self._lock:
            if self._sessions.pop(session_id, None) is None:
                raise UnknownSession(f"no session {session_id!r}: it was never made or was already closed")

    def __len__(self):
        return len(self._sessions)

    def __contains__(self, session_id):
        return session_id in self._sessions
