"""Local fakes of the provider APIs, one module per provider, and the server that mounts them
(server.py): the real SDKs and HTTP clients run against them in the tests."""
