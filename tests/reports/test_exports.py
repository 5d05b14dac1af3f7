import csv
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from admin.reports import diversity, exports
from bot.surveys import shipped
from storage.models import Contact, Opportunity, Participant, SignUp, StoryAnalysis
from tests.reports.conftest import at

NASTY = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "safe", 7, -3]


def read_csv(text):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_cells_that_start_like_a_formula_get_an_apostrophe():
    rows = read_csv(exports.to_csv(exports.Table("t", ["h"] * len(NASTY), [NASTY], ["=note"])))
    assert rows[1] == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tTAB", "safe", "7", "-3"]
    assert rows[2] == ["# =note"]


def test_xlsx_text_is_never_a_formula():
    data = exports.to_xlsx([exports.Table("Feedback: all/any", ["a"] * len(NASTY), [NASTY], ["a note"]),
                            exports.Table("Feedback: all/any", ["b"], [["x\x00y"]])])
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
    with runtime.factory() as db:
        every = select(StoryAnalysis.answer_id)
        redacted = list(exports.feedback_table(db, every).rows)
        original = exports.feedback_table(db, every, original=True)
        text = exports.to_csv(original)
    assert redacted[1][-1] == "[name] was rude" and redacted[1][7] == "Poor"
    assert redacted[1][10] == "Negative experience & dissatisfaction; Staff manner & personal attributes"
    assert redacted[1][11] == "General; Staff"
    assert "Sam was rude" in text and "'=cmd|' /C calc'!A0" in text
    assert "Original text" in original.notes[0]


def test_feedback_export_of_chosen_stories(runtime, feedback):
    ids = [feedback.response(f"2026-03-1{n} 12:00", story=f"story {n}").story_id for n in range(3)]
    feedback.session.commit()
    with runtime.factory() as db:
        rows = list(exports.feedback_table(db, ids[:2]).rows)
    assert [r[0] for r in rows] == [ids[1], ids[0]], "the chosen stories, newest day first"


def test_fft_return_table(runtime, feedback):
    for value in (1, 2, 6):
        feedback.response("2026-03-10 12:00", fft=value)
    feedback.session.commit()
    with runtime.factory() as db:
        table = exports.fft_return_table(db, at("2026-03-01 00:00"), at("2026-04-01 00:00"), "2026-03")
    assert list(table.header[:3]) == ["service", "mode", "very_good"]
    assert table.rows == [("OAKLANDS", "SMS/text message", 1, 1, 0, 0, 0, 1, 3, 66.7, 0.0)]


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
        table = exports.participation_table(db)
    assert table.rows == [(p.id, "Alex", "sms", "+447700900123", "2026-01-02 10:00", "I agree", "training",
                           "anywhere", "", "weekly", False, "Course (confirmed)")]
    assert exports.to_csv(table).splitlines()[1].endswith("weekly,no,Course (confirmed)")


def test_diversity_table_keeps_stars_and_says_what_columns_mean(runtime):
    with runtime.factory() as db:
        report = diversity.diversity_report(db, shipped().latest("about-you"), None, date(2026, 3, 1),
                                            date(2026, 3, 1))
    table = exports.diversity_table(report)
    assert table.title == "Diversity 2026-03"
    assert any(n.startswith("Participants: Not collected") for n in table.notes)
    assert ("What is your sex?", "Total", 0, "", "", "", "") in table.rows
