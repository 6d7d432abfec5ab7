from tests.federation.feed_server import feed_server

__all__ = ["feed_server"]
