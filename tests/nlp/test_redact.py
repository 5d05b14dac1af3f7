"""Redaction: every planted identifier goes; ordinary words stay."""
import pytest

from nlp.redact import nhs_number_valid, redact

VALID_NHS = "943 476 5919"      # passes the modulus-11 check
INVALID_NHS = "943 476 5918"    # fails it

PLANTED = [
    ("Dr Okafor was brilliant", ["Okafor"], "[NAME]"),
    ("Nurse Jenkins sat with me all night", ["Jenkins"], "[NAME]"),
    ("Mr Smith on reception was rude", ["Smith"], "[NAME]"),
    ("Mary Smith helped me fill in the form", ["Mary", "Smith"], "[NAME]"),
    ("thank you to dr patel", ["patel"], "[NAME]"),
    ("Sarah was so kind to my mum", ["Sarah"], "[NAME]"),
    ("call me on 07700 900123", ["07700 900123"], "[PHONE]"),
    ("my number is +44 7700 900123", ["7700 900123"], "[PHONE]"),
    ("ring (0115) 496 0123 please", ["496 0123"], "[PHONE]"),
    ("landline 0115-496-0123", ["0115-496-0123"], "[PHONE]"),
    ("+44 (0)20 7946 0958 is my work", ["7946 0958"], "[PHONE]"),
    (f"NHS number {VALID_NHS}", [VALID_NHS], "[NHS_NUMBER]"),
    ("NHS no 943-476-5919", ["943-476-5919"], "[NHS_NUMBER]"),
    ("nhs 9434765919", ["9434765919"], "[NHS_NUMBER]"),
    ("email me at jo.bloggs@example.nhs.uk", ["jo.bloggs@example.nhs.uk"], "[EMAIL]"),
    ("I live at NG7 2UH", ["NG7 2UH"], "[POSTCODE]"),
    ("postcode sw1a1aa", ["sw1a1aa"], "[POSTCODE]"),
]


@pytest.mark.parametrize("text,secrets,placeholder", PLANTED)
def test_planted_identifiers_are_removed(text, secrets, placeholder):
    out = redact(text)
    for secret in secrets:
        assert secret not in out, out
    assert placeholder in out


def test_all_planted_at_once():
    text = " ".join(t for t, _, _ in PLANTED)
    out = redact(text)
    for _, secrets, _ in PLANTED:
        for secret in secrets:
            assert secret not in out


def test_nhs_check_digit():
    assert nhs_number_valid(VALID_NHS)
    assert not nhs_number_valid(INVALID_NHS)
    out = redact(f"my number {INVALID_NHS}")
    assert "[NHS_NUMBER]" not in out
    # A ten-digit number that fails the check is not an NHS number, but it is still personal:
    # it is replaced as a phone number or a number.
    assert INVALID_NHS not in out


@pytest.mark.parametrize("text", [
    "Good", "Thank you", "Nothing", "Very good service, thank you",
    "The staff on Oaklands Ward were lovely", "Rose Ward was clean", "Florence House is noisy",
    "The nurse was kind and the doctor listened", "I waited 3 hours", "Seen at 10:30 on 12/03/2023",
    "Will the ward have more activities?", "I miss the garden", "Grace and patience from the team",
])
def test_ordinary_text_is_kept(text):
    assert redact(text) == text


def test_name_placeholder_keeps_title():
    assert redact("Dr Okafor and Nurse Jenkins") == "Dr [NAME] and Nurse [NAME]"
