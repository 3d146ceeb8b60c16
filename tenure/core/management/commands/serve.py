"""`tenure serve`: the web app under gunicorn on 127.0.0.1 (never Django's runserver)."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web app with gunicorn on 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("TENURE_PORT", 8000)))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("TENURE_WORKERS", 3)))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("TENURE_THREADS", 4)))

    def handle(self, *args, port: int, workers: int, threads: int, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        argv = [
            gunicorn,
            "tenure.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--access-logfile",
            str(settings.LOG_DIR / "access.log"),
            "--error-logfile",
            str(settings.LOG_DIR / "gunicorn.log"),
            "--logger-class",
            "tenure.core.access_log.MaskingAccessLogger",
        ]
        self.stdout.write(f"Serving Tenure on http://127.0.0.1:{port}/ (gunicorn, {workers} workers)")
        self.stdout.flush()
        os.execv(gunicorn, argv)
