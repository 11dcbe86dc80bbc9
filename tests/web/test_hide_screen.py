"""The hide-screen control is on every signed-in page and loads no inline script (the real
behaviour is tested in the browser: tests/browser/test_sign_in.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from incidents.models import Role


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_signed_in_home_page_has_the_hide_screen_button(
    login_as: Callable[[Role], FlaskClient], role: Role
) -> None:
    page = login_as(role).get("/").get_data(as_text=True)
    assert "data-hide-screen" in page
    assert 'aria-keyshortcuts="Shift+Escape"' in page
    assert 'id="app-cover"' in page
    assert '<script type="module" src="/static/hide-screen.js"></script>' in page


def test_the_sign_in_page_has_no_hide_screen_button(client: FlaskClient) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    assert "data-hide-screen" not in page
    assert "hide-screen.js" not in page


def test_the_script_is_served_as_javascript(client: FlaskClient) -> None:
    response = client.get("/static/hide-screen.js")
    assert response.status_code == 200
    assert "javascript" in response.content_type
