"""A form filled in again with what the user sent just after their session ended (issue 17,
item 9). The accounts package finds the draft and hands it to `restore`; here it goes into the
first form on the page whose fields it fits, on a GET only, so it is shown and never submitted:
the user checks it and sends it themselves. A banner says so, and that files were not kept."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

_G_DATA = "restored_form_data"
_G_USED = "restored_form_used"
_G_FILES = "restored_form_files"


def restore(fields: list[tuple[str, str]], *, files_dropped: bool) -> None:
    """Fill this page's form with `fields` (called before the view runs)."""
    setattr(g, _G_DATA, MultiDict(fields))
    setattr(g, _G_FILES, files_dropped)


def _restored_data(form: FlaskForm) -> MultiDict[str, str] | None:
    data: MultiDict[str, str] | None = g.get(_G_DATA)
    if data is None or g.get(_G_USED) or request.method != "GET":
        return None
    if not (set(data.keys()) - {"csrf_token"}) & set(form._fields):
        return None  # another form on the page (a one-button step): none of its fields
    setattr(g, _G_USED, True)
    return data


# Every form in the service is a FlaskForm (61 of them): one hook on its formdata, rather than a
# base class each would have to remember. Only a form that would have no data (a GET, or a page
# that asks for an empty form: the case page's note) is touched; any POST is left exactly as
# Flask-WTF makes it.
_flask_wtf_wrap = FlaskForm.Meta.wrap_formdata


def _wrap_formdata(meta: Any, form: FlaskForm, formdata: Any) -> Any:
    wrapped = _flask_wtf_wrap(meta, form, formdata)
    if wrapped is None:
        return _restored_data(form)
    return wrapped


def _template_context() -> dict[str, Any]:
    used = bool(g.get(_G_USED))
    return {"restored_form": used, "restored_files_dropped": used and bool(g.get(_G_FILES))}


def init_restored_forms(app: Flask) -> None:
    FlaskForm.Meta.wrap_formdata = _wrap_formdata
    app.context_processor(_template_context)
