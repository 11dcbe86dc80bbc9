"""The WSGI entry point for a production server: `gunicorn 'incidents.wsgi:app'`.
Start-up stops here if a setting or a key file is missing, with one line naming it."""

import sys

from incidents import create_app
from incidents.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    print(f"incidents: {exc}", file=sys.stderr)
    # Gunicorn's "worker failed to boot" status: the master stops instead of starting workers
    # that fail the same way for ever, and no traceback buries the line above.
    raise SystemExit(3) from None
