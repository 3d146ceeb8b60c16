import subprocess
import sys

import pytest
from django.core.management import call_command


def test_cli_help_lists_subcommands():
    out = subprocess.run([sys.executable, "-m", "tenure.cli", "--help"], capture_output=True, text=True, check=True)
    for name in ("generate", "import", "nightly", "serve", "demo"):
        assert f"  {name}" in out.stdout


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_login_page_and_health(client):
    assert client.get("/healthz").json() == {"ok": True}
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/accounts/login/").status_code == 200
