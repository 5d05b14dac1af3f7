"""DELETE MY DATA leaves no trace: every text column of every table is searched afterwards."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import JSON, LargeBinary, String, Text, inspect, select, text

from service import erasure
from storage.models import Contact
from tests.e2e.test_participation import add_opportunity
from tests.e2e.test_sms import Phone

NUMBER = "+447911555123"
NAME = "Zbigniewa Quixley"
NEEDS = "a hearing loop and a quiet room please"


def text_columns(rt) -> dict[str, list[str]]:
    """Every table in the migrated database, and its columns that can hold text."""
    inspector = inspect(rt.engine)
    textual = (String, Text, JSON, LargeBinary)
    return {table: [c["name"] for c in inspector.get_columns(table) if isinstance(c["type"], textual)]
            for table in inspector.get_table_names()}


def traces(rt) -> list[str]:
    """Where the person's name, number (in any form) or access needs can still be found."""
    needles = [NAME, NAME.split()[0], NEEDS, NUMBER, NUMBER.lstrip("+"), "07911555123", "7911555123"]
    found = []
    with rt.engine.connect() as conn:
        for table, columns in text_columns(rt).items():
            for column in columns:
                for value in conn.scalars(text(f'SELECT "{column}" FROM "{table}"')):
                    shown = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    found += [f"{table}.{column}: {n}" for n in needles if n.lower() in shown.lower()]
    return found


def test_every_text_column_is_named_in_the_erasure_code_or_marked_not_personal(runtime):
    named = set(erasure.PERSONAL) | erasure.NOT_PERSONAL
    unnamed = [f"{table}.{column}" for table, columns in text_columns(runtime).items() for column in columns
               if table not in named and f"{table}.{column}" not in named]
    assert unnamed == [], "say in service/erasure.py whether these hold personal data, and erase them if so"


def test_delete_my_data_leaves_no_trace_of_name_number_or_needs(runtime, client, services):
    add_opportunity(runtime, "Working Together group: crisis care")
    phone = Phone(client, NUMBER)
    phone.sends("FEEDBACK OAKLANDS"), phone.sends("2"), phone.sends("The nurses were kind")
    phone.sends("JOIN"), phone.sends("1"), phone.sends("SIGN UP"), phone.sends("YES"), phone.sends(NAME)
    assert "signed up" in phone.sends(NEEDS)[0]
    mine = "\n".join(phone.sends("MY DATA"))
    assert NAME.split()[0] in mine and NUMBER in mine, "the bot quoted them back: those words are logged"
    assert traces(runtime), "before erasure the search finds them (the search works)"

    phone.sends("DELETE MY DATA")
    assert "deleted" in phone.sends("DELETE")[0]
    left = traces(runtime)
    assert all(t.startswith("contacts.address") for t in left), left  # kept to send the confirmation

    assert erasure.forget_erased_contacts(runtime.factory, datetime.now(timezone.utc) + timedelta(minutes=11)) == 1
    assert traces(runtime) == []
    with runtime.factory() as session:
        assert session.scalar(select(Contact).where(Contact.address == NUMBER)) is None
    assert "no participant record" in phone.sends("MY DATA")[0], "they can start again as anyone can"


def test_someone_who_said_stop_is_remembered_only_so_stop_holds(runtime, client, services):
    add_opportunity(runtime, "Peer support training", type="peer_role")
    phone = Phone(client, NUMBER)
    phone.sends("JOIN"), phone.sends("1"), phone.sends("SIGN UP"), phone.sends("YES"), phone.sends(NAME)
    phone.sends(NEEDS)
    phone.sends("DELETE MY DATA"), phone.sends("DELETE")
    phone.sends("STOP")
    assert erasure.forget_erased_contacts(runtime.factory, datetime.now(timezone.utc) + timedelta(hours=1)) == 0
    assert all(t.startswith("contacts.address") for t in traces(runtime))
    with runtime.factory() as session:
        assert session.scalar(select(Contact).where(Contact.address == NUMBER)).opted_out
