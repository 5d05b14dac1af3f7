"""Our TwiML writer says exactly what twilio's MessagingResponse would."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from twilio.twiml.messaging_response import MessagingResponse

from bot.replies import Reply
from sms.webhook import twiml

TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n<>&\"'"), max_size=60)


@given(st.lists(TEXT, min_size=1, max_size=4))
def test_the_same_xml_as_messaging_response(texts):
    library = MessagingResponse()
    for text in texts:
        library.message(text)
    assert twiml([Reply(t) for t in texts]) == str(library)


def test_no_replies_is_an_empty_response():
    assert twiml([]).endswith("<Response></Response>")
