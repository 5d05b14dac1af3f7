"""Twilio's Messaging webhooks: signed inbound messages and delivery status callbacks."""
from __future__ import annotations

import hmac
import logging
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, request
from twilio.request_validator import RequestValidator

from bot.engine import MEDIA
from bot.phones import parse_sender
from sms.sender import OPTED_OUT
from storage import contacts, messages

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__, url_prefix="/sms")
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
    sid = form.get("MessageSid") or form.get("SmsSid")
    if not sid:
        return _text("missing MessageSid", 400)
    sender = parse_sender(form.get("From"), rt.settings.default_region)
    if sender is None:
        log.warning("refused an inbound message from a sender that is not a number or a sender ID")
        return _text("missing or invalid From number", 400)
    if sender.channel != "sms":  # e.g. whatsapp: kept apart, never taken as an SMS number
        log.warning("refused a %s message: this webhook takes SMS only", sender.channel)
        return _text(f"{sender.channel} messages are not supported here: this webhook takes SMS only", 422)
    if not sender.can_reply:
        return _logged_not_answered(rt, sid, sender.address)
    # With Advanced Opt-Out, Twilio itself answers STOP, START and HELP, and says so in OptOutType.
    body, confirmed = form.get("Body", ""), bool(form.get("OptOutType"))
    if not body.strip() and form.get("NumMedia", "0").strip() not in ("", "0"):  # an MMS with no words
        body = MEDIA
    received = rt.receive(channel="sms", address=sender.address, text=body, provider_id=sid, now=rt.now(),
                          provider_replied=confirmed)
    return Response(twiml(received.replies), mimetype="application/xml")


def _logged_not_answered(rt, sid: str, address: str) -> Response:
    """A short code or sender name: logged as received, but never answered or messaged (no contact)."""
    rt.write(lambda conn: messages.log_inbound(conn, "sms", sid, None, rt.now()))
    log.info("an SMS from %r, a short code or sender name, was logged and not answered", address)
    return Response(twiml([]), mimetype="application/xml")


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
    to = parse_sender(request.form.get("To"), rt.settings.default_region) if error == OPTED_OUT_ERROR else None
    with rt.factory.begin() as session:
        if to is not None and to.channel == "sms" and to.can_reply:  # the recipient unsubscribed
            contacts.opt_out(session, "sms", to.address, rt.now())
        if not messages.record_status(session, "sms", sid, new_status, error, rt.now()):
            log.info("status %s for a message not recorded yet: %s", new_status, sid)
    return _text("ok", 200)
