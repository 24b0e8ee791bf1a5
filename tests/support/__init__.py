"""What the tests share besides fixtures: the live server, clients, waiting, subprocesses,
browser tabs, files to upload, and the steps several test modules take. Imported as
`from support.x import y` (pytest puts tests/ on sys.path); fixtures stay in tests/conftest.py."""
