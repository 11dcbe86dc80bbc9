"""The WSGI entry point for a production server: `gunicorn 'incidents.wsgi:app'`.
Start-up fails here, loudly, if a setting or the key file is missing."""

from incidents import create_app

app = create_app()
