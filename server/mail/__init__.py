"""Email: templates in English and Spanish, queued through the outbox, sent by the worker.

    queue_email(session, to=..., template=..., lang=..., context=...)   in a unit of work
    server.outbox.nudge(redis)                                           after the commit

Importing this package registers the "email" outbox handler.
"""

from server.mail.service import queue_email

__all__ = ["queue_email"]
