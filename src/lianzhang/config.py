"""Every deployment setting, declared once with its type, default and help text."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PLACEHOLDER_SECRET = "insecure-development-key-change-me"


class ConfigError(RuntimeError):
    """A setting is missing, malformed or unsafe for the chosen environment."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"不是布尔值: {raw!r}")


def _list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


@dataclass(frozen=True)
class Setting:
    """One environment variable the platform reads."""

    name: str
    field: str
    parse: Callable[[str], Any]
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "LIANZHANG_ENV",
        "env",
        str,
        "development",
        "development | production; production refuses unsafe defaults",
    ),
    Setting(
        "LIANZHANG_SECRET_KEY",
        "secret_key",
        str,
        PLACEHOLDER_SECRET,
        "Django secret key; must be set in production",
    ),
    Setting("LIANZHANG_DEBUG", "debug", _bool, "false", "show Django debug pages (never in production)"),
    Setting(
        "LIANZHANG_DATA_DIR", "data_dir", Path, "var", "folder for the embedded SQLite database and uploads"
    ),
    Setting(
        "DATABASE_URL",
        "database_url",
        str,
        "",
        "PostgreSQL URL for real deployments; empty means embedded SQLite",
    ),
    Setting(
        "LIANZHANG_ALLOWED_HOSTS",
        "allowed_hosts",
        _list,
        "127.0.0.1,localhost",
        "comma-separated host names served",
    ),
    Setting(
        "LIANZHANG_SQLITE_TIMEOUT",
        "sqlite_timeout",
        float,
        "30",
        "seconds a SQLite writer waits for the lock",
    ),
    Setting("LIANZHANG_MAX_UPLOAD_MB", "max_upload_mb", int, "20", "largest import file accepted, in MB"),
    Setting(
        "LIANZHANG_OPENDATA_MAX_UPLOAD_MB",
        "opendata_max_upload_mb",
        int,
        "500",
        "largest raw file a department may upload for de-identification, in MB",
    ),
    Setting(
        "LIANZHANG_DEMO_BANNER",
        "demo_banner",
        _bool,
        "false",
        "show the synthetic-data banner (set by `lianzhang demo`)",
    ),
    Setting("LIANZHANG_CHAIN_DIRS", "chain_dirs", _list, "", "extra folders with chain YAML files"),
)


@dataclass(frozen=True)
class Config:
    """Parsed settings; build with `load_config`."""

    env: str
    secret_key: str
    debug: bool
    data_dir: Path
    database_url: str
    allowed_hosts: list[str]
    sqlite_timeout: float
    max_upload_mb: int
    opendata_max_upload_mb: int
    demo_banner: bool
    chain_dirs: list[str]

    @property
    def is_production(self) -> bool:
        """True when running as a real deployment."""
        return self.env == "production"


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    """Read and check every setting from the environment."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name, setting.default)
        try:
            values[setting.field] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{setting.name}: {exc} ({setting.help})") from None
    config = Config(**values)
    if config.env not in {"development", "production"}:
        raise ConfigError("LIANZHANG_ENV 只能是 development 或 production")
    if config.is_production:
        if config.secret_key == PLACEHOLDER_SECRET or len(config.secret_key) < 32:
            raise ConfigError("生产环境必须设置 LIANZHANG_SECRET_KEY（至少32个字符，不能使用占位值）")
        if config.debug:
            raise ConfigError("生产环境不能开启 LIANZHANG_DEBUG")
    return config


def describe_settings() -> str:
    """Render the settings table for `lianzhang settings` and the README."""
    return "\n".join(f"{s.name:28} default={s.default!r:24} {s.help}" for s in SETTINGS)
