"""Upload progress (issue 14): a page that takes files is sent by XMLHttpRequest so the browser
can show how much has been sent (static/upload-progress.js). A redirect would be followed by
the request itself and its flash message read there, never shown; so for such a request the
redirect is answered as a header the script follows instead."""

from __future__ import annotations

from flask import Flask, Response, request

HEADER = "X-Upload-Progress"
NEXT = "X-Upload-Next"


def _redirect_as_header(response: Response) -> Response:
    if request.headers.get(HEADER) == "1" and response.status_code in (302, 303):
        location = response.headers.get("Location", "")
        if location.startswith("/") and not location.startswith("//"):  # our own pages only
            answer = Response("", status=200)
            answer.headers[NEXT] = location
            return answer
    return response


def init_upload_progress(app: Flask) -> None:
    app.after_request(_redirect_as_header)
