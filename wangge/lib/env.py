"""Strict parsing of settings from environment variables.

A bad value stops the process at start with a message naming the variable,
instead of surfacing later as a confusing error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit


class EnvError(ValueError):
    """Raised when an environment variable holds a value we cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Env:
    environ: Mapping[str, str]

    @classmethod
    def from_os(cls) -> Env:
        return cls(os.environ)

    def get_str(self, name: str, default: str = "") -> str:
        return self.environ.get(name, default)

    def get_bool(self, name: str, default: bool = False) -> bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise EnvError(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")

    def get_int(self, name: str, default: int, *, minimum: int | None = None) -> int:
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise EnvError(f"{name}={raw!r}: expected an integer") from None
        if minimum is not None and value < minimum:
            raise EnvError(f"{name}={raw!r}: must be at least {minimum}")
        return value

    def get_list(self, name: str, default: list[str] | None = None) -> list[str]:
        raw = self.environ.get(name)
        if raw is None:
            return list(default or [])
        return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(url: str, *, base_dir: Path) -> dict[str, object]:
    """Turn ``sqlite:///path`` or ``postgres://user@host:port/name`` into Django settings."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    given = dict(parse_qsl(parts.query, keep_blank_values=True))
    options = {k: v for k, v in given.items() if v}
    if scheme == "sqlite":
        # sqlite:///relative/path and sqlite:////absolute/path
        if parts.netloc:
            raise EnvError(
                f"WANGGE_DATABASE_URL={url!r}: use three slashes for a relative path "
                "(sqlite:///var/wangge.sqlite3) or four for an absolute one"
            )
        raw_path = unquote(parts.path)[1:]
        if raw_path in ("", ":memory:"):
            name: str = ":memory:"
        else:
            path = Path(raw_path)
            name = str(path if path.is_absolute() else base_dir / path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise EnvError(f"WANGGE_DATABASE_URL={url!r}: missing database name")
        # Statements run through ``wangge.lib.db.preparing_cursor`` are prepared after this
        # many runs on a connection; empty: never (a pooler in transaction mode).
        test_name = options.pop("test_name", None) or f"test_{name}"
        options.pop("prepare_threshold", None)
        threshold = given.get("prepare_threshold", "5").strip()
        try:
            prepare: int | None = int(threshold) if threshold else None
        except ValueError:
            raise EnvError(
                f"WANGGE_DATABASE_URL: prepare_threshold={threshold!r} is not a whole number"
            ) from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": {**options, "prepare_threshold": prepare},
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": test_name},
        }
    raise EnvError(
        f"WANGGE_DATABASE_URL={url!r}: unsupported scheme {scheme!r} (use sqlite:/// or postgres://)"
    )
