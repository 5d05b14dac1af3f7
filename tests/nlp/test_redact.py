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
    # names in lower case, after what people write before a name
    ("hi my name is sarah jones", ["sarah", "jones"], "[NAME]"),
    ("my names jo and i was on the ward", ["jo "], "[NAME]"),
    ("my son tom was seen by the crisis team", ["tom"], "[NAME]"),
    ("my daughter, jayden-lee, waited hours", ["jayden"], "[NAME]"),
    ("my mother-in-law sheila okafor was scared", ["sheila", "okafor"], "[NAME]"),
    ("a nurse called jenny smith sat with me", ["jenny", "smith"], "[NAME]"),
    ("my carer (dave) was there", ["dave"], "[NAME]"),
    ("im dave and i use the day centre", ["dave"], "[NAME]"),
    ("thanks, this is rachel from ward 3", ["rachel"], "[NAME]"),
    ("sarah was so kind to my mum", ["sarah"], "[NAME]"),
    ("his surname is adeyemi", ["adeyemi"], "[NAME]"),
    # dates of birth, in the forms people write them
    ("my dob is 12/03/1985", ["12/03/1985"], "[DATE_OF_BIRTH]"),
    ("d.o.b. 1-2-90", ["1-2-90"], "[DATE_OF_BIRTH]"),
    ("Date of birth: 3rd June 1979", ["3rd June 1979"], "[DATE_OF_BIRTH]"),
    ("born on march 12th 1985", ["march 12th 1985"], "[DATE_OF_BIRTH]"),
    ("I was born in 1961", ["1961"], "[DATE_OF_BIRTH]"),
    ("Am 92 - 5.9.1930 Disabled", ["5.9.1930"], "[DATE_OF_BIRTH]"),
    # street addresses
    ("I live at 12 Acacia Road", ["12 Acacia Road"], "[ADDRESS]"),
    ("send it to flat 2, 14a high st please", ["14a high st"], "[ADDRESS]"),
    ("come to 7 st john's close", ["7 st john's close"], "[ADDRESS]"),
    # NHS numbers however they are spaced
    ("nhs no 9434 765 919", ["9434 765 919"], "[NHS_NUMBER]"),
    ("NHS number 943 476 59 19", ["943 476 59 19"], "[NHS_NUMBER]"),
    ("nhs 943 - 476 - 5919", ["943 - 476 - 5919"], "[NHS_NUMBER]"),
    ("my nhs number is 943  476  5919", ["943  476  5919"], "[NHS_NUMBER]"),
    ("nhs 943.476.5919", ["943.476.5919"], "[NHS_NUMBER]"),
    ("nhs 943–476–5919", ["943–476–5919"], "[NHS_NUMBER]"),
    # other numbers that point at a person
    ("Incident no 25153582", ["25153582"], "[NUMBER]"),
    ("ring me on 496 0123", ["496 0123"], "[PHONE]"),
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
    # what the shared FFT comments hold that is not personal: scores, times, durations, years, places
    "Food very good 10/10.", "I am in severe pain 11/10", "Rang 10.30 p.m. a Saturday night",
    "was told to ring at 07.00 the next morning", "an ambulance within 60-90 minutes", "waited 1 3/4 - 2 hours",
    "I used the service in March 2021", "the crew who attended on 7th feb 2022 were fab",
    "my husband was seen on 1-1-2022", "it cost me nearly £30.00", "well after 1800 hrs",
    "referred to James Cook hospital", "ticked Royal Victoria Infirmary, Newcastle", "Dr needs to listen.",
    "the training over MS Teams was good", "the psychology service has ben under strain",
    "someone to look after their children", "my granddaughter is 2", "my mother-in-law was seen",
    # cue words with no name after them
    "my son has autism", "my son is 12 and was seen", "im tired of waiting", "i'm not happy",
    "the nurse called me back", "they called an ambulance", "I called 111 twice", "my name is wrong on the letter",
    "my wife wasn't poorly", "waited 3 hours on the road", "2 miles down the lane", "a 10 minute walk",
    "my son wiv autism", "my mum gud now", "my daughter pls help", "my dad coz he cant", "my son asd",
])
def test_ordinary_text_is_kept(text):
    assert redact(text) == text


def test_name_placeholder_keeps_title():
    assert redact("Dr Okafor and Nurse Jenkins") == "Dr [NAME] and Nurse [NAME]"
