"""`python -m ai_service.healthcheck`: the container's HEALTHCHECK.

Standard library only, so a probe every 30 s costs a few milliseconds of CPU instead of
importing the app: exit 0 when `/health` answers 200 on this container's PORT, else 1.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    port = os.environ.get("PORT", "3001").strip() or "3001"
    url = f"http://127.0.0.1:{port}/health"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            ok = response.status == 200
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
