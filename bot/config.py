"""Configuration: a TOML file overridden by SAMENSPEL_<SECTION>__<KEY> environment variables."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.domain.escalation import Policy, Urgency
from bot.domain.wellbeing import WellbeingThresholds
from storage.dialect import safe_url

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_FILE_URL = "https://api.telegram.org/file/bot"
# The per-person limit: about 30 updates at once, refilled at about one a second (see bot/domain/ratelimit.py).
DEFAULT_UPDATES_BURST = 30
DEFAULT_UPDATES_PER_SECOND = 1.0

log = logging.getLogger(__name__)


class TelegramSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: SecretStr | None = None
    base_url: str = DEFAULT_API_URL
    base_file_url: str | None = None
    # Telegram allows about 30 messages a second overall; PTB's rate limiter keeps us under it.
    max_messages_per_second: float = Field(default=30.0, gt=0)
    poll_timeout_seconds: int = Field(default=30, ge=0, le=50)
    request_timeout_seconds: float = Field(default=10.0, gt=0)

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    def file_url(self) -> str:
        if self.base_file_url:
            return self.base_file_url
        if self.base_url.endswith("/bot"):
            return self.base_url[: -len("/bot")] + "/file/bot"
        return DEFAULT_FILE_URL


class StorageSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # SQLite's file; not used when `url` is set.
    path: Path = Path("samenspel.db")
    # PostgreSQL instead of SQLite: "postgresql://user:password@host:5432/dbname" (libpq's URL form).
    url: str | None = Field(default=None, pattern=r"^postgres(ql)?://")

    @property
    def is_postgresql(self) -> bool:
        return self.url is not None


class WebhookSettings(BaseModel):
    """`samenspel run --webhook`: Telegram posts updates here (behind the TLS proxy or load balancer)."""

    model_config = ConfigDict(extra="forbid")

    listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=0, le=65535)  # 0: any free port (tests)
    path: str = Field(default="/telegram", pattern=r"^/[A-Za-z0-9/_.-]*$")
    # Telegram sends it back in X-Telegram-Bot-Api-Secret-Token; its alphabet and length are Telegram's.
    secret: SecretStr | None = None
    # How long a replica may hold an update before another takes it over (it renews while still working).
    lease_seconds: float = Field(default=30.0, gt=0, le=3600)

    @field_validator("secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value.get_secret_value()):
            raise ValueError("must be 16 to 256 characters A-Z, a-z, 0-9, _ and -")
        return value


class DeliverySettings(BaseModel):
    """Sending the outbox."""

    model_config = ConfigDict(extra="forbid")

    # With several replicas on PostgreSQL, one holds the sender lease on the database's clock; a replica that
    # dies (or freezes) is replaced after at most this long plus a second. Shorter fails over faster but takes
    # the lease away from a sender that merely paused; it is renewed every round, so it must outlast one.
    sender_lease_seconds: float = Field(default=15.0, ge=2, le=600)


class OpsSettings(BaseModel):
    """/healthz, /readyz and /metrics for the orchestrator and Prometheus; keep the port internal."""

    model_config = ConfigDict(extra="forbid")

    listen: str = "127.0.0.1"
    port: int = Field(default=9090, ge=0, le=65535)  # 0: any free port (tests)


class EmergencyContact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=60)  # as the volunteer should read it: "Crisisdienst Overvecht"
    phone: str = Field(pattern=r"^\+?[0-9][0-9 ()-]{2,24}$")


class AppSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: str = "Europe/Amsterdam"
    language: str = "nl"
    organisation: str = "Samenspel"
    invite_valid_days: int = Field(default=7, ge=1, le=90)
    # How often the durable-timer scheduler looks for due rows.
    # Timer lateness is at most one tick; each tick is one indexed query per kind of deadline.
    tick_seconds: float = Field(default=0.5, gt=0, le=5)
    log_level: str = "INFO"
    # The per-person limit, a token bucket: a burst of updates_burst updates, refilled at updates_per_second.
    # A person at human pace never reaches it; a flood gets one notice and is dropped (updates_burst 0 = off).
    updates_burst: int = Field(default=DEFAULT_UPDATES_BURST, ge=0, le=10_000)
    updates_per_second: float = Field(default=DEFAULT_UPDATES_PER_SECOND, gt=0, le=1000)
    # Strangers' messages share one budget: a burst of stranger_replies_burst polite answers, refilled at
    # stranger_replies_per_second; the rest get no answer, so a flood of strangers cannot take the sending budget
    # (0 = no budget: every stranger is answered).
    stranger_replies_burst: int = Field(default=5, ge=0, le=10_000)
    stranger_replies_per_second: float = Field(default=1.0, gt=0, le=1000)
    # Obsolete (20 a minute counted button taps and stopped people mid-flow); still read so that an old
    # config.toml loads: see _from_updates_per_minute. Not shown by check-config.
    updates_per_minute: int | None = Field(default=None, ge=0, le=10_000, exclude=True)
    # The organisation's emergency lines, told to a volunteer whose urgent call for help or emergency nobody
    # has picked up yet (with the advice to call 112). None configured: only the 112 advice.
    emergency_contacts: list[EmergencyContact] = Field(default_factory=list, max_length=5)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use a name like Europe/Amsterdam)") from exc
        return value

    @field_validator("language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in ("nl", "en"):
            raise ValueError("must be 'nl' or 'en'")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return upper

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @model_validator(mode="after")
    def _from_updates_per_minute(self) -> AppSettings:
        """An old `updates_per_minute = N` still loads. 0 keeps the limit off; any other N becomes a burst of N
        refilled at N a minute, but never stricter than the new defaults, because the old default of 20 a
        minute is what stopped coordinators mid-flow. The new keys, where set, win."""
        old = self.updates_per_minute
        if old is None:
            return self
        if self.model_fields_set & {"updates_burst", "updates_per_second"}:
            log.warning("[app] updates_per_minute is obsolete and ignored beside the new limit keys: remove that line")
            return self
        if old == 0:
            self.updates_burst = 0
        else:
            self.updates_burst = max(DEFAULT_UPDATES_BURST, old)
            self.updates_per_second = max(DEFAULT_UPDATES_PER_SECOND, old / 60)
        log.warning(
            "[app] updates_per_minute is obsolete: replace it with updates_burst = %d and updates_per_second = %g "
            "(read that way now; see config.example.toml)",
            self.updates_burst,
            self.updates_per_second,
        )
        return self


class UrgencyPolicySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Minutes to wait for an acknowledgement before the next level (working minutes if working_hours_only).
    wait_minutes: float = Field(gt=0, le=60 * 24 * 7)
    # Remind everyone told every this many minutes until acknowledged; 0: no separate repeat.
    repeat_minutes: float = Field(default=0, ge=0, le=60 * 24)
    all_at_once: bool = False
    climb: bool = True
    working_hours_only: bool = False
    # After a pick-up, the holder is asked how it stands after this many hours; without an answer by the same
    # time again, the item reopens and climbs. Working hours of the holder if working_hours_only (a working day
    # of the default 08:30-17:00 is 8.5 of them), clock hours otherwise.
    follow_up_hours: float = Field(default=24, gt=0, le=24 * 60)

    def policy(self) -> Policy:
        return Policy(
            wait=timedelta(minutes=self.wait_minutes),
            climb=self.climb,
            all_at_once=self.all_at_once,
            repeat=timedelta(minutes=self.repeat_minutes) if self.repeat_minutes else None,
            working_hours_only=self.working_hours_only,
            follow_up=timedelta(hours=self.follow_up_hours),
        )


# One class per urgency, so that overriding one key in TOML keeps that urgency's other defaults.
class InfoPolicy(UrgencyPolicySettings):
    wait_minutes: float = Field(default=240, gt=0, le=60 * 24 * 7)
    climb: bool = False
    working_hours_only: bool = True
    follow_up_hours: float = Field(default=5 * 8.5, gt=0, le=24 * 60)  # a working week


class ConcernPolicy(UrgencyPolicySettings):
    wait_minutes: float = Field(default=240, gt=0, le=60 * 24 * 7)
    working_hours_only: bool = True
    follow_up_hours: float = Field(default=3 * 8.5, gt=0, le=24 * 60)  # three working days


class UrgentPolicy(UrgencyPolicySettings):
    wait_minutes: float = Field(default=10, gt=0, le=60 * 24 * 7)
    follow_up_hours: float = Field(default=24, gt=0, le=24 * 60)


class EmergencyPolicy(UrgencyPolicySettings):
    wait_minutes: float = Field(default=5, gt=0, le=60 * 24 * 7)
    repeat_minutes: float = Field(default=5, ge=0, le=60 * 24)
    all_at_once: bool = True
    follow_up_hours: float = Field(default=2, gt=0, le=24 * 60)


class EscalationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A team group chat that also gets a (button-less) notice when an item reaches the coordinators.
    alert_chat_id: int | None = None
    # Default working hours of professionals and coordinators (each person can set their own).
    work_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    work_start: time = time(8, 30)
    work_end: time = time(17, 0)
    info: InfoPolicy = InfoPolicy()
    concern: ConcernPolicy = ConcernPolicy()
    urgent: UrgentPolicy = UrgentPolicy()
    emergency: EmergencyPolicy = EmergencyPolicy()

    @field_validator("work_days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if not value or not all(0 <= d <= 6 for d in value):
            raise ValueError("must list weekdays 0 (Monday) to 6 (Sunday)")
        return value

    def policy(self, urgency: Urgency) -> Policy:
        section: UrgencyPolicySettings = getattr(self, urgency.value)
        return section.policy()


class CheckInSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # No scheduled prompt or reminder in quiet hours (local time); they wait until quiet hours end.
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    # Defaults for new schedules.
    remind_after_hours: float = Field(default=24, gt=0, le=24 * 14)
    close_after_hours: float = Field(default=72, gt=0, le=24 * 28)


class WellbeingSettings(BaseModel):
    """Thresholds of the wellbeing rules: docs/wellbeing.md says what each does, bot/domain/wellbeing.py exactly."""

    model_config = ConfigDict(extra="forbid")

    window_days: int = Field(default=28, ge=7, le=120)
    rolling_hours_ratio: float = Field(default=1.25, gt=1)
    single_week_ratio: float = Field(default=2.0, gt=1)
    boundary_repeat: int = Field(default=2, ge=1)
    private_life_repeat: int = Field(default=2, ge=1)
    low_energy: int = Field(default=2, ge=1, le=5)
    low_energy_in_a_row: int = Field(default=2, ge=1)
    # Below the lowest of the volunteer's own recent answers (before issue 17: below their average).
    energy_drop: float = Field(default=2.0, gt=0, le=4)
    energy_range_days: int = Field(default=56, ge=7, le=365)
    # A range of one answer is no range: at least two.
    energy_range_answers: int = Field(default=3, ge=2, le=52)
    missed_in_a_row: int = Field(default=2, ge=1)

    def thresholds(self) -> WellbeingThresholds:
        return WellbeingThresholds(**self.model_dump())


class ReportSettings(BaseModel):
    """The overview, the evaluation talk, the monthly report, the weekly digest (config.example.toml, [reports])."""

    model_config = ConfigDict(extra="forbid")

    # Under-use ("ondervraagd?", shown in /overview, never alerted): under this share of the agreed hours ...
    under_use_ratio: float = Field(default=0.5, gt=0, le=1)
    # ... for this many weeks in a row.
    under_use_weeks: int = Field(default=4, ge=1, le=12)
    # Volunteers per page of /overview.
    page_size: int = Field(default=10, ge=3, le=30)
    # The days an evaluation talk looks back over.
    review_days: int = Field(default=90, ge=28, le=366)
    # The weekly digest to each professional and coordinator: on this weekday (0 Monday .. 6 Sunday) at this local
    # time, or not at all (digest = false). A digest missed (the bot was down) goes out later that week.
    digest: bool = True
    # The thank-you each volunteer gets from the first of the month on (each can still say /summary off).
    monthly_summary: bool = True
    digest_weekday: int = Field(default=0, ge=0, le=6)
    digest_time: time = time(9, 0)


class PrivacySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Free text of closed items, check-in comments, sent messages and removed people's data is erased
    # this many days after closing; counts and timings stay for reports.
    retain_days: int = Field(default=180, ge=1, le=3650)
    # Half-finished input (a report typed but never sent) is dropped after this many days.
    draft_days: int = Field(default=7, ge=1, le=90)
    # The daily erasure runs at this local hour (a quiet moment), and once at every start.
    retention_hour: int = Field(default=3, ge=0, le=23)


SmtpTls = Literal["starttls", "implicit", "none"]
_ADDRESS = r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$"


class NotifySettings(BaseModel):
    """E-mail as a second channel for life-safety items that Telegram did not get picked up."""

    model_config = ConfigDict(extra="forbid")

    # Where the e-mails go; empty: no e-mail at all.
    email: list[Annotated[str, Field(pattern=_ADDRESS, max_length=254)]] = Field(default_factory=list, max_length=20)
    sender: str = Field(default="samenspel@localhost", pattern=_ADDRESS, max_length=254)
    smtp_host: str | None = None
    smtp_port: int | None = Field(default=None, ge=1, le=65535)  # default: 587 with STARTTLS, 465 implicit, 25 none
    # STARTTLS (port 587), implicit TLS (port 465), or none: only for a relay on this machine.
    smtp_tls: SmtpTls = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # A CA certificate file to trust for the mail server, besides the system's (a server with a private CA).
    smtp_ca_file: Path | None = None
    smtp_timeout_seconds: float = Field(default=20, gt=0, le=120)

    @model_validator(mode="after")
    def _usable(self) -> NotifySettings:
        if self.email and not self.smtp_host:
            raise ValueError("e-mail addresses are set but smtp_host is not")
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError("set both smtp_username and smtp_password, or neither")
        if self.smtp_tls == "none" and self.smtp_host and not _is_loopback(self.smtp_host):
            raise ValueError("smtp_tls = 'none' is only allowed for a mail server on this machine")
        if self.smtp_ca_file is not None and not self.smtp_ca_file.is_file():
            raise ValueError(f"smtp_ca_file {self.smtp_ca_file} does not exist")
        return self

    @property
    def port(self) -> int:
        if self.smtp_port is not None:
            return self.smtp_port
        return {"starttls": 587, "implicit": 465, "none": 25}[self.smtp_tls]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SAMENSPEL_",
        env_nested_delimiter="__",
        extra="forbid",
    )
    # Set by load_settings for the one construction it makes; a class variable because pydantic-settings
    # builds its sources from the class.
    toml_path: ClassVar[Path | None] = None

    telegram: TelegramSettings = TelegramSettings()
    storage: StorageSettings = StorageSettings()
    app: AppSettings = AppSettings()
    escalation: EscalationSettings = EscalationSettings()
    checkins: CheckInSettings = CheckInSettings()
    wellbeing: WellbeingSettings = WellbeingSettings()
    privacy: PrivacySettings = PrivacySettings()
    reports: ReportSettings = ReportSettings()
    notify: NotifySettings = NotifySettings()
    webhook: WebhookSettings = WebhookSettings()
    delivery: DeliverySettings = DeliverySettings()
    ops: OpsSettings = OpsSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls.toml_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls.toml_path))
        return tuple(sources)


class ConfigError(Exception):
    """A configuration problem, phrased for the person running the command."""


def resolve_config_path(explicit: str | os.PathLike[str] | None) -> Path | None:
    """--config, else SAMENSPEL_CONFIG, else ./config.toml when it exists."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        return path
    from_env = os.environ.get("SAMENSPEL_CONFIG")
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise ConfigError(f"config file not found: {path} (from SAMENSPEL_CONFIG)")
        return path
    default = Path("config.toml")
    return default if default.is_file() else None


def load_settings(config_path: str | os.PathLike[str] | None = None, **overrides: Any) -> Settings:
    path = resolve_config_path(config_path)
    Settings.toml_path = path
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    except ValueError as exc:  # TOML syntax errors surface as ValueError subclasses
        raise ConfigError(f"{path}: {exc}") from None
    finally:
        # For this construction only: a later Settings() (the sandbox's, a default) reads no file.
        Settings.toml_path = None


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown setting"
    return f"invalid configuration: {key}: {message}"


def masked(settings: Settings) -> dict[str, Any]:
    """The effective configuration with secrets masked, for check-config."""
    data = settings.model_dump(mode="json")
    token = settings.telegram.token
    data["telegram"]["token"] = _mask(token.get_secret_value()) if token else None
    if settings.storage.url is not None:
        data["storage"]["url"] = safe_url(settings.storage.url)
    return data


def _mask(secret: str) -> str:
    return "***" if len(secret) < 12 else f"{secret[:3]}***{secret[-2:]}"
