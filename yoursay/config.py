"""Settings from the environment, read and validated once."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path

from bot.safeguarding import review_time

MODES = ("production", "dev", "demo")
DEMO_TRUST_ODS_CODE = "RZZ"  # made up: the demo trust's ODS code, unless YOURSAY_TRUST_ODS_CODE is set
MIN_SECRET_KEY = 32  # characters, in production


class ConfigError(ValueError):
    """A setting is missing or malformed."""


@dataclass(frozen=True)
class QuietHours:
    """A nightly window in local time when non-urgent messages wait."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def parse_quiet_hours(value: str) -> QuietHours | None:
    """Parse "21:00-09:00", or "off" for none."""
    value = value.strip().lower()
    if value in ("off", "none", ""):
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError as exc:
        raise ConfigError(f"YOURSAY_QUIET_HOURS must look like 21:00-09:00 or off, not {value!r}") from exc
    return QuietHours(start, end)


def _number(env, name: str, default: str, kind=float):
    raw = env.get(name, default)
    try:
        return kind(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    database_url: str
    mode: str = "production"
    secret_key: str | None = None
    public_url: str | None = None
    trusted_proxies: int = 0  # reverse proxies in front that set X-Forwarded-For; 0: the address is not used
    trust_name: str = "the trust"
    feedback_keyword: str = "FEEDBACK"
    fft_followup: str = "Please can you tell us why you gave your answer?"
    local_crisis_line: str | None = None
    safeguarding_file: str | None = None  # the trust's copy of bot/safeguarding.yaml (wording, numbers, tiers)
    safeguarding_line: str | None = None  # e.g. the council's adult safeguarding line, for abuse replies
    safeguarding_review: str | None = None  # when a person reads a flag, in words ("within 1 working day")
    on_duty_email: str | None = None  # told at once of every safeguarding flag (needs SMTP)
    on_duty_webhook_url: str | None = None  # and/or POSTed to, e.g. a Teams or paging webhook
    conversation_timeout: timedelta | None = None  # each survey sets its own expiry; this overrides all
    invite_interval: timedelta = timedelta(days=30)
    survey_dir: str | None = None
    message_text_retention: timedelta = timedelta(days=7)
    answer_batch: int = 5  # anonymous answers are written in shuffled batches of at least this many; not set by env
    story_join: timedelta = timedelta(minutes=2)  # later parts of a story within this are joined into one
    recent_service: timedelta = timedelta(hours=24)  # a story this soon after a conversation takes its service; not by env
    screen_update: int | str = 5  # the public screen's figures change after this many new answers, or "daily"
    participation_target: int = 100  # new participants a year, on the dashboard
    diversity_baseline: str | None = None  # a YAML file of population percentages (see admin/reports)
    trust_ods_code: str | None = None  # the trust's ODS code, for the FFT return (e.g. RX2)
    spc_baselines: str | None = None  # a YAML file of SPC chart baselines per service (admin/reports/spc.py)
    diversity_participant_surveys: tuple[str, ...] = ("about-you-participants",)  # asked of participants only
    quiet_hours: QuietHours | None = field(default_factory=lambda: parse_quiet_hours("21:00-09:00"))
    timezone: str = "Europe/London"
    default_region: str = "GB"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_base_url: str | None = None
    sms_rate: float = 1.0
    telegram_rate: float = 30.0  # Telegram's own limit for a bot: 30 messages a second overall
    alerts_weekly_cap: int = 3
    digest_at: tuple[int, time] = (1, time(10, 0))  # ISO weekday and local time: Monday 10:00
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    ppt_email: str | None = None
    mail_from: str | None = None
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base_url: str | None = None
    run_scheduler: bool = True
    scheduler_interval: float = 5.0
    receiver_process: bool = True  # `serve` handles inbound messages in a process of their own

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host and self.ppt_email)

    @property
    def twilio_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    def check_can_serve(self) -> None:
        """Refuse to run in production without the secrets production needs."""
        if self.mode == "production" and not self.secret_key:
            raise ConfigError("SECRET_KEY must be set (or YOURSAY_MODE=dev or demo for local use)")
        if self.mode == "production" and len(self.secret_key) < MIN_SECRET_KEY:
            raise ConfigError(f"SECRET_KEY must be at least {MIN_SECRET_KEY} characters in production, e.g. "
                              "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'")
        if self.twilio_enabled and not (self.twilio_from_number or self.twilio_messaging_service_sid):
            raise ConfigError("set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID to send SMS")


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_digest_at(value: str) -> tuple[int, time]:
    """'Monday 10:00' (or 'mon 10:00') as (ISO weekday 1-7, local time)."""
    try:
        day, clock = value.split()
        weekday = next(n for n, name in enumerate(WEEKDAYS, start=1)
                       if len(day) >= 3 and name.startswith(day.lower()))
        return weekday, time.fromisoformat(clock)
    except (ValueError, StopIteration) as exc:
        raise ConfigError(f"YOURSAY_DIGEST_AT must look like 'Monday 10:00', not {value!r}") from exc


def _flag(env, name: str, default: str) -> bool:
    raw = env.get(name, default).strip().lower()
    if raw not in ("on", "off", "true", "false", "yes", "no", "1", "0"):
        raise ConfigError(f"{name} must be on or off, not {raw!r}")
    return raw in ("on", "true", "yes", "1")


def default_database_url(instance: Path | None = None) -> str:
    folder = instance or Path.cwd() / "instance"
    return f"sqlite:///{folder / 'yoursay.db'}"


def _review_time(raw: str | None) -> str | None:
    try:
        return review_time(raw)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


SCREEN_MIN_STEP = 5  # fewer new answers than this between two updates could single someone out


def _screen_update(env) -> int | str:
    raw = env.get("YOURSAY_SCREEN_UPDATE", "5").strip().lower()
    if raw == "daily":
        return raw
    if not raw.isdigit() or int(raw) < SCREEN_MIN_STEP:
        raise ConfigError(f"YOURSAY_SCREEN_UPDATE is how many new answers change the public screen "
                          f"({SCREEN_MIN_STEP} or more) or daily, not {raw!r}")
    return int(raw)


MAX_STORY_JOIN_MINUTES = 30  # a story is held unsealed this long at most after its last part


def _story_join(env) -> timedelta:
    minutes = _number(env, "YOURSAY_STORY_JOIN_MINUTES", "2")
    if not 0 <= minutes <= MAX_STORY_JOIN_MINUTES:
        raise ConfigError(f"YOURSAY_STORY_JOIN_MINUTES is how many minutes apart the parts of one story may come "
                          f"(0 to {MAX_STORY_JOIN_MINUTES}; 0 joins none), not {minutes:g}")
    return timedelta(minutes=minutes)


def _proxies(env) -> int:
    count = _number(env, "YOURSAY_TRUSTED_PROXIES", "0", int)
    if not 0 <= count <= 5:
        raise ConfigError(f"YOURSAY_TRUSTED_PROXIES is how many proxies are in front (0 to 5), not {count}")
    return count


def load(env: dict | None = None) -> Settings:
    """Build Settings from environment variables."""
    env = os.environ if env is None else env
    mode = env.get("YOURSAY_MODE", "production").strip().lower()
    if mode not in MODES:
        raise ConfigError(f"YOURSAY_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    return Settings(
        database_url=env.get("DATABASE_URL") or default_database_url(),
        mode=mode,
        secret_key=env.get("SECRET_KEY") or None,
        public_url=(env.get("YOURSAY_PUBLIC_URL") or "").rstrip("/") or None,
        trusted_proxies=_proxies(env),
        trust_name=env.get("YOURSAY_TRUST_NAME", "the trust"),
        feedback_keyword=env.get("YOURSAY_FEEDBACK_KEYWORD", "FEEDBACK").strip().upper(),
        fft_followup=env.get("YOURSAY_FFT_FOLLOWUP", Settings.fft_followup),
        local_crisis_line=env.get("YOURSAY_LOCAL_CRISIS_LINE") or None,
        safeguarding_file=env.get("YOURSAY_SAFEGUARDING_FILE") or None,
        safeguarding_line=env.get("YOURSAY_SAFEGUARDING_LINE") or None,
        safeguarding_review=_review_time(env.get("YOURSAY_SAFEGUARDING_REVIEW_HOURS")),
        on_duty_email=env.get("YOURSAY_ON_DUTY_EMAIL") or None,
        on_duty_webhook_url=env.get("YOURSAY_ON_DUTY_WEBHOOK_URL") or None,
        conversation_timeout=(timedelta(hours=_number(env, "YOURSAY_CONVERSATION_TIMEOUT_HOURS", "0"))
                              if env.get("YOURSAY_CONVERSATION_TIMEOUT_HOURS") else None),
        survey_dir=env.get("YOURSAY_SURVEY_DIR") or None,
        invite_interval=timedelta(days=_number(env, "YOURSAY_INVITE_INTERVAL_DAYS", "30")),
        message_text_retention=timedelta(days=_number(env, "YOURSAY_MESSAGE_TEXT_DAYS", "7")),
        screen_update=_screen_update(env),
        story_join=_story_join(env),
        participation_target=int(_number(env, "YOURSAY_PARTICIPATION_TARGET", "100", int)),
        diversity_baseline=env.get("YOURSAY_DIVERSITY_BASELINE") or None,
        trust_ods_code=((env.get("YOURSAY_TRUST_ODS_CODE") or "").strip().upper()
                        or (DEMO_TRUST_ODS_CODE if mode == "demo" else None)),
        spc_baselines=env.get("YOURSAY_SPC_BASELINES") or None,
        diversity_participant_surveys=tuple(s.strip() for s in env.get("YOURSAY_DIVERSITY_PARTICIPANT_SURVEYS", "about-you-participants")
                                            .split(",") if s.strip()),
        quiet_hours=parse_quiet_hours(env.get("YOURSAY_QUIET_HOURS", "21:00-09:00")),
        timezone=env.get("YOURSAY_TIMEZONE", "Europe/London"),
        twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
        twilio_from_number=env.get("TWILIO_FROM_NUMBER") or None,
        twilio_messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID") or None,
        twilio_api_base_url=env.get("TWILIO_API_BASE_URL") or None,
        sms_rate=_number(env, "YOURSAY_SMS_RATE", "1"),
        telegram_rate=min(30.0, _number(env, "YOURSAY_TELEGRAM_RATE", "30")),
        alerts_weekly_cap=_number(env, "YOURSAY_ALERTS_WEEKLY_CAP", "3", int),
        digest_at=parse_digest_at(env.get("YOURSAY_DIGEST_AT", "Monday 10:00")),
        smtp_host=env.get("YOURSAY_SMTP_HOST") or None,
        smtp_port=_number(env, "YOURSAY_SMTP_PORT", "587", int),
        smtp_user=env.get("YOURSAY_SMTP_USER") or None,
        smtp_password=env.get("YOURSAY_SMTP_PASSWORD") or None,
        smtp_starttls=_flag(env, "YOURSAY_SMTP_STARTTLS", "on"),
        ppt_email=env.get("YOURSAY_PPT_EMAIL") or None,
        mail_from=env.get("YOURSAY_MAIL_FROM") or None,
        telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
        telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
        telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL") or None,
        run_scheduler=env.get("YOURSAY_SCHEDULER", "on").lower() != "off",
        scheduler_interval=_number(env, "YOURSAY_SCHEDULER_INTERVAL", "5"),
        receiver_process=_flag(env, "YOURSAY_RECEIVER_PROCESS", "on"),
    )
