"""The WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

from grievance import create_app

app = create_app()
