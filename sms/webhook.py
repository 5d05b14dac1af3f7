"""Twilio's Messaging webhooks: signed inbound messages and delivery status callbacks."""
from __future__ import annotations

import hmac
import logging
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, request
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.phones import to_e164
from sms.sender import OPTED_OUT
from storage import contacts, upsert
from storage.models import Message

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__, url_prefix="/sms")

# Later statuses never go back to earlier ones (callbacks can arrive out of order).
STATUS_RANK = {"accepted": 0, "scheduled": 0, "queued": 1, "replied": 1, "sending": 2, "sent": 3,
               "delivered": 4, "undelivered": 4, "failed": 4, "read": 5}
OPTED_OUT_ERROR = str(OPTED_OUT)


def _runtime():
    return current_app.extensions["yoursay"]


def _text(body: str, status: int) -> Response:
    return Response(body + "\n", status=status, mimetype="text/plain")


def signature_is_valid(auth_token: str, public_url: str | None) -> bool:
    """Check X-Twilio-Signature against the public URL, so it holds behind a proxy."""
    req = request._get_current_object()  # one context lookup, not one per attribute
    signature = req.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    query = req.query_string.decode()
    url = (public_url or req.host_url.rstrip("/")) + req.path + (f"?{query}" if query else "")
    validator = RequestValidator(auth_token)
    # Twilio signs the URL we gave it, so one signature usually settles it; validate() also
    # tries the URL with and without a port, which costs two more.
    if hmac.compare_digest(validator.compute_signature(url, req.form), signature):
        return True
    return validator.validate(url, req.form, signature)


def _check_request(rt) -> Response | None:
    settings = rt.settings
    if not settings.twilio_enabled:
        return _text("SMS is not configured on this server", 503)
    if not signature_is_valid(settings.twilio_auth_token, settings.public_url):
        log.warning("rejected %s with a bad or missing Twilio signature", request.path)
        return _text("invalid Twilio signature", 403)
    return None


@bp.post("/inbound")
def inbound():
    """One inbound SMS: answered with TwiML, once, however often Twilio retries."""
    rt = _runtime()
    if (refused := _check_request(rt)) is not None:
        return refused
    form = request.form
    sid, sender = form.get("MessageSid") or form.get("SmsSid"), form.get("From", "")
    if not sid:
        return _text("missing MessageSid", 400)
    address = to_e164(sender, rt.settings.default_region, strict=False)
    if address is None:
        return _text("missing or invalid From number", 400)
    # With Advanced Opt-Out, Twilio itself answers STOP, START and HELP, and says so in OptOutType.
    body, confirmed = form.get("Body", ""), bool(form.get("OptOutType"))
    received = rt.receive(channel="sms", address=address, text=body, provider_id=sid, now=rt.now(),
                          provider_replied=confirmed)
    return Response(twiml(received.replies), mimetype="application/xml")


def twiml(replies) -> str:
    """TwiML that sends each reply as an SMS: the same XML MessagingResponse writes, for less work."""
    messages = "".join(f"<Message>{escape(r.text)}</Message>" if r.text else "<Message />" for r in replies)
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{messages}</Response>'


@bp.post("/status")
def status():
    """A delivery status callback for a message we sent."""
    rt = _runtime()
    if (refused := _check_request(rt)) is not None:
        return refused
    sid, new_status = request.form.get("MessageSid"), (request.form.get("MessageStatus") or "").lower()
    if not sid or not new_status:
        return _text("missing MessageSid or MessageStatus", 400)
    error = request.form.get("ErrorCode") or None
    with rt.factory.begin() as session:
        if error == OPTED_OUT_ERROR and request.form.get("To"):
            address = to_e164(request.form["To"], rt.settings.default_region, strict=False)
            if address:
                contacts.opt_out(session, "sms", address, rt.now())
        row = session.scalar(select(Message).where(Message.channel == "sms", Message.direction == "out",
                                                   Message.provider_id == sid))
        if row is None:  # the callback beat our own record of the send: keep it, the send fills in the rest
            log.info("status %s for a message not recorded yet: %s", new_status, sid)
            stmt = upsert.insert(session, Message.__table__).values(
                channel="sms", direction="out", provider_id=sid, status=new_status, error_code=error,
                created_at=rt.now(), updated_at=rt.now())
            session.execute(stmt.on_conflict_do_nothing(index_elements=["channel", "direction", "provider_id"]))
        elif STATUS_RANK.get(new_status, 0) >= STATUS_RANK.get(row.status, 0):
            row.status, row.error_code, row.updated_at = new_status, error, rt.now()
    return _text("ok", 200)
