"""HTTP client that redirects the Twilio SDK to a different base URL."""

from typing import Dict, Optional, Tuple

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

TWILIO_API_URL = "https://api.twilio.com"


class BaseUrlHttpClient(TwilioHttpClient):
    """TwilioHttpClient that rewrites the https://api.twilio.com prefix to base_url."""

    def __init__(self, base_url: str, **kwargs):
        """Create the client; kwargs are passed to TwilioHttpClient."""
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        if self.session is not None:  # apply the https adapter (pool size, max_retries) to http too
            self.session.mount("http://", self.session.get_adapter("https://"))

    def rewrite_url(self, url: str) -> str:
        """Return url with the api.twilio.com prefix replaced by base_url."""
        rest = url[len(TWILIO_API_URL):]
        if url.startswith(TWILIO_API_URL) and rest[:1] in ("", "/", "?", "#"):
            return self.base_url + rest
        return url

    def request(
        self,
        method: str,
        url: str,
        params: Optional[Dict[str, object]] = None,
        data: Optional[Dict[str, object]] = None,
        headers: Optional[Dict[str, str]] = None,
        auth: Optional[Tuple[str, str]] = None,
        timeout: Optional[float] = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Rewrite the URL, then send the request as TwilioHttpClient does."""
        return super().request(
            method,
            self.rewrite_url(url),
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )
