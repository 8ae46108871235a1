"""tenant-sandbox: a local, stateful mock server for four tenant-management APIs."""

__version__ = "0.1.0"
