"""ai-service: money, trading ideas and documents in one self-hosted GraphQL service."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ai-service")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
