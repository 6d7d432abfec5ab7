"""Every outbox topic's handler, in one import: whatever relays the outbox (the worker,
a test) imports this, so no topic waits for a module that happened not to be loaded."""

from server.badges import followups
from server.mail import service as mail
from server.stacks import jobs as stacks

__all__ = ["followups", "mail", "stacks"]
