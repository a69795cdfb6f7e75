import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("false", False), ("YES", True), ("off", False)])
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not expected) is expected


@pytest.mark.parametrize(
    ("getter", "raw"),
    [
        (lambda: env_bool("X", False), "vielleicht"),
        (lambda: env_int("X", 1), "zehn"),
        (lambda: env_url("X", ("redis",)), "http://localhost:6379"),
    ],
)
def test_bad_environment_values_fail_fast_naming_the_variable(monkeypatch, getter, raw):
    monkeypatch.setenv("X", raw)
    with pytest.raises(ImproperlyConfigured, match="X"):
        getter()


def _manage(*args, **env):
    dropped = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_passes_check_deploy(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SPIELRAUM_MODE="production",
        SECRET_KEY="x" * 60 + "-production-secret-for-the-check",
        ALLOWED_HOSTS="spielraum.example.org",
        SPIELRAUM_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_mode_refuses_to_start_without_secret(tmp_path):
    result = _manage("check", SPIELRAUM_MODE="production", SECRET_KEY="", SPIELRAUM_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_server_refuses_to_start_without_collected_static_files(tmp_path):
    # Given production settings and an empty STATIC_ROOT; when the ASGI application is loaded
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        SPIELRAUM_MODE="production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.org",
        STATIC_ROOT=str(tmp_path / "static"), SPIELRAUM_VAR_DIR=str(tmp_path),
    )  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-c", "import config.asgi"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    # Then it stops with a message that says what to do (instead of answering 500 on every page)
    assert run.returncode != 0
    assert "collectstatic" in run.stderr
    # and after collectstatic it starts
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
    )
    assert collect.returncode == 0, collect.stderr
    assert subprocess.run([sys.executable, "-c", "import config.asgi"], cwd=ROOT, env=env).returncode == 0
