"""The baseline: a bare Flask endpoint that returns an empty TwiML reply, on waitress."""
import sys

import waitress
from flask import Flask, Response


def create_app() -> Flask:
    app = Flask("bare")

    @app.post("/sms/inbound")
    def inbound():
        return Response('<?xml version="1.0" encoding="UTF-8"?><Response />', mimetype="application/xml")

    return app


if __name__ == "__main__":
    waitress.serve(create_app(), host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), ident="bare")
