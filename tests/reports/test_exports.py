import csv
import io
from datetime import date

from openpyxl import load_workbook

from admin import export
from admin.inbox import Filters
from admin.reports import diversity, tables
from bot.surveys import shipped
from storage.models import Contact, Opportunity, Participant, SignUp
from tests.reports.conftest import at

NASTY = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "safe", 7, -3]


def read_csv(text):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_cells_that_start_like_a_formula_get_an_apostrophe():
    rows = read_csv(export.to_csv(export.Table("t", ["h"] * len(NASTY), [NASTY], ["=note"])))
    assert rows[1] == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tTAB", "safe", "7", "-3"]
    assert rows[2] == ["# =note"]


def test_xlsx_text_is_never_a_formula():
    data = export.to_xlsx([export.Table("Feedback: all/any", ["a"] * len(NASTY), [NASTY], ["a note"]),
                           export.Table("Feedback: all/any", ["b"], [["x\x00y"]])])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Feedback allany", "Feedback allany (2)"]
    cells = list(book.worksheets[0].iter_rows(min_row=2, max_row=2))[0]
    assert [c.value for c in cells] == NASTY
    assert {c.data_type for c in cells[:6]} == {"s"} and cells[6].data_type == "n"
    assert book.worksheets[1]["A2"].value == "xy"


def test_feedback_export_is_redacted_unless_asked(runtime, feedback):
    feedback.response("2026-03-10 12:00", fft=4, story="Sam was rude", sentiment="negative",
                      themes=["Staff manner & personal attributes", "Negative experience & dissatisfaction"])
    feedback.response("2026-03-11 12:00", story="=cmd|' /C calc'!A0", themes=[])
    feedback.session.commit()
    redacted = [dict(zip(tables.FEEDBACK_HEADER, r)) for r in tables.feedback_table(runtime.factory, Filters()).rows]
    original = tables.feedback_table(runtime.factory, Filters(), original=True)
    text = export.to_csv(original)
    assert redacted[1]["text"] == "[name] was rude" and redacted[1]["fft_answer"] == "Poor"
    assert redacted[1]["themes"] == "Negative experience & dissatisfaction; Staff manner & personal attributes"
    assert redacted[1]["major_categories"] == "General; Staff"
    assert (redacted[1]["received"], redacted[1]["service_code"], redacted[1]["channel"]) == (
        "2026-03-10", "OAKLANDS", "SMS/text message")
    assert "Sam was rude" in text and "'=cmd|' /C calc'!A0" in text
    assert "Original text" in original.notes[0]
    assert "Text is redacted" in tables.feedback_table(runtime.factory, Filters()).notes[0]


def test_feedback_export_is_the_filtered_stories_newest_day_first_in_batches(runtime, feedback, monkeypatch):
    monkeypatch.setattr(tables, "BATCH", 2)
    responses = [feedback.response(f"2026-03-1{n} 12:00", story=f"story {n}") for n in range(5)]
    feedback.session.commit()
    rows = list(tables.feedback_table(runtime.factory, Filters(date_to="2026-03-13")).rows)
    assert [(r[0], r[1]) for r in rows] == [(r.story_id, r.id) for r in reversed(responses[:4])]


def test_a_long_csv_is_sent_in_pieces_with_the_notes_last(monkeypatch):
    monkeypatch.setattr(export, "CHUNK_ROWS", 2)
    pieces = list(export.csv_chunks(export.Table("t", ["n"], ([n] for n in range(5)), ["a note"])))
    assert len(pieces) == 3 and pieces[0] == "\ufeffn\r\n0\r\n1\r\n"
    assert "".join(pieces).endswith("4\r\n# a note\r\n")


def test_fft_return_table(runtime, feedback):
    for value in (1, 2, 6):
        feedback.response("2026-03-10 12:00", fft=value)
    feedback.session.commit()
    with runtime.factory() as db:
        table = tables.fft_return_table(db, date(2026, 3, 1), trust_ods_code="RX2")
    assert list(table.header) == ["ods_code", "service_code", "service", "very_good", "good", "neither_good_nor_poor",
                                  "poor", "very_poor", "dont_know", "total", "mode_sms_text_message", "mode_online",
                                  "mode_other", "percent_positive", "percent_negative"]
    assert table.rows == [("", "OAKLANDS", "OAKLANDS", 1, 1, 0, 0, 0, 1, 3, 3, 0, 0, 66.7, 0.0),
                          ("RX2", "", "Trust total", 1, 1, 0, 0, 0, 1, 3, 3, 0, 0, 66.7, 0.0)]


def test_participation_table(runtime):
    with runtime.factory.begin() as s:
        contact = Contact(channel="sms", address="+447700900123", created_at=at("2026-01-01 10:00"))
        s.add(contact)
        s.flush()
        p = Participant(contact_id=contact.id, name="Alex", consent_at=at("2026-01-02 10:00"), consent_text="I agree",
                        interests=["training"], alerts="weekly", created_at=at("2026-01-02 10:00"),
                        updated_at=at("2026-01-02 10:00"))
        o = Opportunity(title="Course", summary="s", type="training", area="North", venue="online", payment="paid",
                        created_at=at("2026-01-01 10:00"))
        s.add_all([p, o])
        s.flush()
        s.add(SignUp(participant_id=p.id, opportunity_id=o.id, status="confirmed", created_at=at("2026-01-03 10:00"),
                     updated_at=at("2026-01-03 10:00")))
    with runtime.factory() as db:
        table = tables.participation_table(db)
    assert table.rows == [(p.id, "Alex", "sms", "+447700900123", "2026-01-02 10:00", "I agree", "training",
                           "anywhere", "", "weekly", False, "Course (confirmed)")]
    assert export.to_csv(table).splitlines()[1].endswith("weekly,no,Course (confirmed)")


def test_diversity_table_keeps_stars_and_says_what_columns_mean(runtime):
    with runtime.factory() as db:
        report = diversity.diversity_report(db, shipped().latest("about-you"), None, date(2026, 3, 1),
                                            date(2026, 3, 1))
    table = tables.diversity_table(report)
    assert table.title == "Diversity 2026-03"
    assert any(n.startswith("Participants: Not collected") for n in table.notes)
    assert ("What is your sex?", "Total", 0, "", "", "", "") in table.rows
