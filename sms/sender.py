"""Send outbox messages with the real twilio Client."""
from __future__ import annotations

from datetime import datetime

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from outbox.delivery import DeliveryError
from sms import lookup
from sms.http import BaseUrlHttpClient
from storage.outbox import Claimed

OPTED_OUT = 21610  # the recipient has unsubscribed (replied STOP to the carrier or Twilio)


class TwilioTransport:
    """The SMS channel's transport for the outbox."""

    channel = "sms"

    def __init__(self, settings):
        self.settings = settings
        self._client: Client | None = None

    @property
    def client(self) -> Client:
        if self._client is None:
            s = self.settings
            # Always a timeout: one hung call must not stall every later message.
            http = (BaseUrlHttpClient(s.twilio_api_base_url, timeout=15) if s.twilio_api_base_url
                    else TwilioHttpClient(timeout=15))
            self._client = Client(s.twilio_account_sid, s.twilio_auth_token, http_client=http)
        return self._client

    def send(self, item: Claimed) -> tuple[str | None, str]:
        s = self.settings
        kwargs = {"to": item.address, "body": item.body}
        if s.twilio_messaging_service_sid:
            kwargs["messaging_service_sid"] = s.twilio_messaging_service_sid
        else:
            kwargs["from_"] = s.twilio_from_number
        if s.public_url:
            kwargs["status_callback"] = f"{s.public_url}/sms/status"
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            retry = exc.status == 429 or exc.status >= 500
            raise DeliveryError(f"Twilio {exc.status} error {exc.code}: {exc.msg}", retry=retry,
                                opted_out=exc.code == OPTED_OUT, code=str(exc.code)) from exc
        except (TwilioException, OSError) as exc:
            raise DeliveryError(f"could not reach Twilio: {exc}", retry=True) from exc
        return message.sid, message.status or "queued"

    def sent_since(self, item: Claimed, since: datetime) -> list[tuple[str, str]]:
        """What Twilio already has for a row in doubt (sms.lookup); raises if Twilio cannot be asked."""
        return lookup.sent_since(self.client, item.address, item.body, since)
