"""The `yoursay` command line."""
from __future__ import annotations

import csv
import json
import logging
import sys
from datetime import datetime, timedelta
from pathlib import Path

import click
from sqlalchemy import func, select

from nlp.cli import nlp_commands
from yoursay import config, logs


def _settings() -> config.Settings:
    try:
        settings = config.load()
    except config.ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    logs.hide(*logs.secrets_of(settings))
    return settings


def _runtime(migrate_sqlite: bool = True, serving: bool = False):
    """The runtime for one command; its connections close when the command ends.

    serving: a long-running command, which refuses to start without production's secrets, as `serve` does.
    """
    from storage import migrate
    from yoursay.runtime import build

    settings = _settings()
    if serving:
        try:
            settings.check_can_serve()
        except config.ConfigError as exc:
            raise click.ClickException(str(exc)) from exc
    if migrate_sqlite and settings.is_sqlite:
        migrate.upgrade(settings.database_url)
    rt = build(settings)
    click.get_current_context().call_on_close(rt.close)
    return rt


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """YourSay: hear the people who use our services, and get them involved."""
    logs.configure(logging.DEBUG if verbose else logging.WARNING, logging.DEBUG if verbose else logging.INFO)


nlp_group = nlp_commands(database_url=lambda: _settings().database_url)
main.add_command(nlp_group)


@nlp_group.command("retag")
def nlp_retag() -> None:
    """Tag every stored story the current model has not tagged yet, e.g. after `yoursay nlp train`."""
    from yoursay import tagging

    rt = _runtime()
    total = tagging.pending(rt)
    if not total:
        click.echo("Every story is tagged by the current model.")
        return
    with click.progressbar(length=total, label="Tagging stories", file=sys.stderr) as bar:
        done = tagging.retag_all(rt, progress=bar.update)
    click.echo(f"Tagged {done} stories with model {tagging.model_version()}.")


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration the database has not had yet."""
    from storage import migrate

    migrate.upgrade(_settings().database_url)
    click.echo("database is up to date")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=16, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Serve the webhooks, the scheduler and the admin."""
    from yoursay.serve import run

    try:
        run(_settings(), host, port, threads)
    except config.ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.option("--channel", default="chat", hidden=True)
@click.option("--as", "address", default="local", show_default=True, help="Who you are, to the bot.")
def chat(channel: str, address: str) -> None:
    """Talk to the bot in this terminal, with the same engine and database."""
    from service.conversations import receive
    from service.jobs import write_answer_batches

    rt = _runtime()
    click.echo("You are talking to the YourSay bot. Type FEEDBACK to start, HELP for help; Ctrl-D to leave.")
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        received = rt.write(lambda conn: receive(conn, rt.bot, channel=channel, address=address, text=text,
                                                 provider_id=None, now=rt.now()))
        for reply in received.replies:
            click.echo("bot> " + reply.text.replace("\n", "\n     "))
        write_answer_batches(rt.factory, rt.bot, rt.now())  # as the scheduler does when serving


@main.command("telegram-poll")
def telegram_poll() -> None:
    """Run the Telegram bot with long polling (no public URL needed)."""
    from telegram_channel.polling import polling_application, run_polling
    from yoursay import scheduler

    rt = _runtime(serving=True)
    if not rt.settings.telegram_enabled:
        raise click.ClickException("set TELEGRAM_BOT_TOKEN first")
    if rt.bot.risk_check:
        from nlp import risk

        risk.preload()  # the rules and language models, once, in the process that reads messages
    jobs = scheduler.start(rt) if rt.settings.run_scheduler else None
    # The scheduler stops first, so no scheduled send meets a channel that has stopped.
    run_polling(rt, polling_application(rt, before_stop=jobs.shutdown if jobs else None))


@main.command()
@click.option("--csv", "csv_file", required=True, type=click.File("r", encoding="utf-8-sig"),
              help="Columns: phone and/or telegram_chat_id, service, optional send_after.")
@click.option("--survey", "survey_id", default="fft", show_default=True, help="Which survey to invite people to.")
def invite(csv_file, survey_id: str) -> None:
    """Queue survey invitations from a CSV file."""
    from bot.stories import SURVEY as STORIES
    from service.invitations import InviteRules, queue, read_rows

    rt = _runtime()
    invitable = sorted(sid for sid in rt.bot.surveys.surveys if sid != STORIES)  # stories come unasked
    survey = rt.bot.surveys.latest(survey_id) if survey_id in invitable else None
    if survey is None:
        raise click.ClickException(f"no survey {survey_id!r} (known: {', '.join(invitable)})")
    try:
        rows, problem = read_rows(csv_file.read())
    except UnicodeDecodeError:
        rows, problem = [], "the file is not UTF-8 text; save it as CSV UTF-8"
    if problem:
        raise click.ClickException(f"{csv_file.name}: {problem}")
    s = rt.settings
    rules = InviteRules(rt.bot.texts, s.invite_interval, s.default_region, s.timezone, survey)
    with rt.factory.begin() as session:
        report = queue(session, rows, rules, rt.now())
    for line in report.skipped:
        click.echo(f"skipped {line}")
    for line in report.errors:
        click.echo(f"error {line}", err=True)
    click.echo(f"queued {report.queued}, skipped {len(report.skipped)}, errors {len(report.errors)}")
    if report.errors:
        sys.exit(1)


@main.command("fft-return")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
def fft_return(month: str, fmt: str) -> None:
    """Print the month's FFT return for NHS England: a row per ODS site, then the trust total, then notes."""
    from admin.export import csv_safe
    from admin.reports import fft_sites

    try:
        first = datetime.strptime(month, "%Y-%m").date()
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM, e.g. 2026-11", param_hint="--month") from exc
    rt = _runtime()
    with rt.factory() as session:
        figures = fft_sites.site_return(session, first, tz=rt.settings.timezone,
                                        trust_ods_code=rt.settings.trust_ods_code)
    if fmt == "json":
        click.echo(json.dumps(fft_sites.as_dict(figures), indent=2))
        return
    table = fft_sites.as_table(figures)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows([v if isinstance(v, (int, float)) else csv_safe(v) for v in row] for row in table.rows)
    writer.writerows([f"# {note}"] for note in table.notes)


@main.group()
def reports() -> None:
    """The dashboard's monthly summaries."""


@reports.command("refresh")
@click.option("--all", "everything", is_flag=True, help="Make every month again, not only those that changed.")
def reports_refresh(everything: bool) -> None:
    """Bring the dashboard's monthly figures up to date now, e.g. after a bulk load of feedback."""
    from admin.reports import summary

    rt = _runtime()
    made = summary.refresh(rt.factory, rt.now(), tz=rt.settings.timezone, full=everything, every=timedelta(0))
    click.echo(f"Made {len(made)} month{'' if len(made) == 1 else 's'} again: "
               + (", ".join(f"{m:%Y-%m}" for m in sorted(made)) or "none had changed") + ".")


@reports.command("pack")
@click.option("--service", "code", help="The service's code, e.g. OAKLANDS (see `yoursay services list`).")
@click.option("--all", "every", is_flag=True, help="One pack per active service, written into the --output folder.")
@click.option("--month", help="YYYY-MM; the last complete month if not given.")
@click.option("--output", required=True, type=click.Path(path_type=Path),
              help="The PDF file to write, or with --all the folder to write <CODE>-<YYYY-MM>.pdf files into.")
def reports_pack(code: str | None, every: bool, month: str | None, output: Path) -> None:
    """Write a service's monthly pack (FFT, SPC, themes, stories, QI, "You said, we did") as a PDF."""
    from admin.params import parse_month
    from admin.reports.pack import file_name, pack_pdf
    from admin.reports.periods import last_months
    from admin.reports.service_month import last_complete_month
    from storage.models import Service
    from yoursay.app import create_app

    if bool(code) == every:
        raise click.ClickException("give either --service CODE or --all")
    folder = output if every else output.parent
    if not folder.is_dir():
        raise click.ClickException(f"no such folder: {folder}")
    if not every and output.is_dir():
        raise click.ClickException(f"--output is a folder: give the PDF file's name, e.g. {output / 'pack.pdf'}")
    rt = _runtime()
    now, tz = rt.now(), rt.settings.timezone
    first = parse_month(month) if month else last_complete_month(now, tz)
    if first is None or first > last_months(now, 1, tz)[0]:
        raise click.ClickException(f"--month must be a month up to this one, written YYYY-MM (e.g. 2026-03): {month}")
    with rt.factory() as session:
        known = dict(session.execute(select(Service.code, Service.active)).all())
    if code and code not in known:
        raise click.ClickException(f"no service with the code {code} (see `yoursay services list`)")
    codes = sorted(c for c, active in known.items() if active) if every else [code]
    app = create_app(rt.settings, rt)
    for one in codes:
        path = output / file_name(one, first) if every else output
        path.write_bytes(pack_pdf(app, one, first, now=now))
        click.echo(f"wrote {path}")


@main.group()
def services() -> None:
    """The services people give feedback about."""


@services.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--ods", "ods", default=None, help="Its ODS site code, for the FFT return, e.g. RX2AB.")
def services_add(code: str, name: str, ods: str | None) -> None:
    """Add a service, e.g. `yoursay services add OAKLANDS "Oaklands Ward" --ods RX2AB`."""
    from admin.reports.fft_sites import normalise_ods
    from storage.models import Service

    code = code.strip().upper()
    if not code.isalnum() or len(code) > 40:
        raise click.BadParameter("a code is letters and digits only, at most 40", param_hint="CODE")
    ods_code = normalise_ods(ods) if ods is not None else None
    if ods is not None and ods_code is None:
        raise click.BadParameter("an ODS site code is 3 to 10 letters and digits, e.g. RX2AB", param_hint="--ods")
    rt = _runtime()
    with rt.factory.begin() as session:
        if session.scalar(select(func.count()).select_from(Service).where(Service.code == code)):
            raise click.ClickException(f"service {code} already exists")
        session.add(Service(code=code, name=name.strip(), active=True, ods_code=ods_code))
    click.echo(f"added {code}: {name}" + (f" (ODS {ods_code})" if ods_code else ""))


@services.command("list")
def services_list() -> None:
    """List services: code, ODS site code ("-" if none) and name."""
    from storage.models import Service

    rt = _runtime()
    with rt.factory() as session:
        for service in session.scalars(select(Service).order_by(Service.code)):
            click.echo(f"{service.code}\t{service.ods_code or '-'}\t{service.name}"
                       f"{'' if service.active else '  (inactive)'}")


@main.group()
def users() -> None:
    """Staff who sign in to the admin."""


@users.command("create")
@click.option("--username", required=True, help="Lower-case letters, digits, dots, dashes or underscores.")
@click.option("--role", required=True, type=click.Choice(["admin", "reviewer", "viewer"]))
def users_create(username: str, role: str) -> None:
    """Add a user. The password is asked for (or read from standard input), never given as an argument."""
    from admin import accounts
    from storage.models import AuditEntry

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    rt = _runtime()
    try:
        with rt.factory.begin() as session:
            user = accounts.create(session, username, role, password, rt.now())
            session.add(AuditEntry(username="command line", action="user_create", target=f"user:{user.username}",
                                   detail=f"role {role}", created_at=rt.now()))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"added {username.strip().lower()} as {role}")


@main.group()
def surveys() -> None:
    """Survey definitions (YAML or JSON files)."""


@surveys.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=True, path_type=Path))
def surveys_check(files) -> None:
    """Check survey files (default: the shipped ones and YOURSAY_SURVEY_DIR); report every error."""
    from bot.surveys import SHIPPED, load

    settings = _settings()
    paths = list(files) or [SHIPPED] + ([Path(settings.survey_dir)] if settings.survey_dir else [])
    registry = load(paths)
    for error in registry.errors:
        click.echo(error, err=True)
    for versions in sorted(registry.surveys.values(), key=lambda v: v[0].id):
        for survey in versions:
            click.echo(f"ok: {survey.id} version {survey.version} ({len(survey.questions)} questions) "
                       f"from {survey.source}")
    if registry.errors:
        raise click.ClickException(f"{len(registry.errors)} error(s) in survey files")


@main.group()
def opportunities() -> None:
    """Participation opportunities: import, publish, list."""


@opportunities.command("import")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
def opportunities_import(csv_file) -> None:
    """Add opportunities from a CSV as drafts. Columns: title, summary, type, area, venue, payment,
    and optionally description, starts_at, ends_at, places, accessibility, closes_on."""
    from service.opportunities import import_csv

    rt = _runtime()
    try:
        data = csv_file.read()
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{csv_file.name}: the file is not UTF-8 text; save it as CSV UTF-8") from exc
    with rt.factory.begin() as session:
        report = import_csv(session, data, rt.now(), rt.settings.timezone)
    for error in report.errors:
        click.echo(f"error {error}", err=True)
    click.echo(f"imported {len(report.imported)} as drafts"
               + (f" (ids {', '.join(map(str, report.imported))})" if report.imported else "")
               + f", errors {len(report.errors)}")
    if report.errors:
        sys.exit(1)


@opportunities.command("publish")
@click.argument("opportunity_id", type=int)
def opportunities_publish(opportunity_id: int) -> None:
    """Publish a draft opportunity, so people can find it and sign up, and alert subscribers to it."""
    from service.alerts import publish_and_alert

    rt = _runtime()
    s = rt.settings
    try:
        with rt.factory.begin() as session:  # published and alerted together, or neither
            opportunity, counts = publish_and_alert(session, opportunity_id, rt.now(), s.trust_name,
                                                    s.alerts_weekly_cap, s.timezone)
            title = opportunity.title
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"published {opportunity_id}: {title}")
    click.echo(f"alerts queued {counts.alerts}, added to weekly digests {counts.digest}")


@opportunities.command("list")
@click.option("--status", type=click.Choice(["draft", "published", "closed"]), help="Only these.")
def opportunities_list(status: str | None) -> None:
    """List opportunities with their status."""
    from bot.opportunities import type_label
    from storage.models import Opportunity

    rt = _runtime()
    with rt.factory() as session:
        query = select(Opportunity).order_by(Opportunity.id)
        if status:
            query = query.where(Opportunity.status == status)
        for o in session.scalars(query):
            click.echo(f"{o.id}\t{o.status}\t{type_label(o.type)}\t{o.area}\t{o.title}")


@main.command("send-outbox")
def send_outbox() -> None:
    """Send everything due in the outbox now, each channel at its own rate (the server does this itself)."""
    import threading

    from outbox.delivery import drain

    rt = _runtime()
    transports = rt.transports
    results: dict[str, int | Exception] = {}

    def run(name: str, transport) -> None:
        try:
            results[name] = drain(rt.factory, transport, rt.policy(name), rt.worker, pacer=rt.pacer(name))
        except Exception as exc:  # reported below, after the other channel has finished
            results[name] = exc

    for transport in transports.values():
        if hasattr(transport, "start"):
            transport.start()
    try:
        threads = [threading.Thread(target=run, args=item, name=f"send-{item[0]}") for item in transports.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for transport in transports.values():
            if hasattr(transport, "stop"):
                transport.stop()
    for name, result in results.items():
        click.echo(f"{name}: " + (f"failed: {result}" if isinstance(result, Exception) else f"sent {result}"))
    if any(isinstance(result, Exception) for result in results.values()):
        sys.exit(1)


@main.command()
@click.option("--file", "path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A text file holding the message, in plain characters, at most 2 text messages long.")
@click.option("--audience", required=True, help="subscribers (alerts on, not paused) or participants (everyone "
              "who has agreed to be contacted).")
def broadcast(path: Path, audience: str) -> None:
    """Send one message to many people, e.g. the monthly Participation News."""
    from service.alerts import broadcast as queue_broadcast
    from storage.alerts import AUDIENCES

    if audience not in AUDIENCES:
        raise click.BadParameter(f"{audience!r} is not an audience: use "
                                 + " or ".join(f"{name} ({what})" for name, what in AUDIENCES.items()),
                                 param_hint="--audience")
    try:
        body = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path}: the file is not UTF-8 text; save it as plain text (UTF-8)") from exc
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    rt = _runtime()
    try:
        with rt.factory.begin() as session:
            broadcast_id, queued = queue_broadcast(session, body, audience, rt.now())
    except ValueError as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    click.echo(f"broadcast {broadcast_id} queued to {queued} {audience}")


@main.command("outbox-status")
@click.option("--limit", default=20, show_default=True, help="How many failed messages to list.")
def outbox_status(limit: int) -> None:
    """Count outbox messages by status, and list the ones that failed for good."""
    from storage.models import Contact, Outbox

    rt = _runtime()
    with rt.factory() as session:
        counts = session.execute(select(Outbox.status, func.count()).group_by(Outbox.status)).all()
        for status, count in sorted(counts):
            click.echo(f"{status}: {count}")
        failed = session.execute(
            select(Outbox, Contact.address).join(Contact, Contact.id == Outbox.contact_id)
            .where(Outbox.status == "failed").order_by(Outbox.id.desc()).limit(limit)).all()
    for row, address in failed:
        click.echo(f"#{row.id} {row.channel} {row.kind} to ...{address[-4:]} after {row.attempts} attempts: "
                   f"{row.last_error}")


@main.command()
def demo() -> None:
    """Set up demo data on SQLite and start a chat with the bot."""
    from yoursay.demo import seed

    settings = _settings()
    if not settings.is_sqlite:
        raise click.ClickException("the demo runs on the default SQLite database only")
    rt = _runtime()
    added = seed(rt.factory, rt.now())
    click.echo(f"Demo data ready in {settings.database_url} ({added} sample responses added).")
    click.echo("Try: FEEDBACK, FEEDBACK OAKLANDS, SURVEY, ABOUT YOU, 4PI, SKIP, BACK, HELP, STOP, START.\n")
    click.get_current_context().invoke(chat)
