"""The SPA entry page carries the MSP's name (settings.MSP_NAME), escaped, in its title and in
the JSON configuration the front end reads (frontend/src/lib/portalConfig.ts)."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.test import Client as HttpClient

from msp_portal.views import CONFIG_ELEMENT_ID, inject_portal_config

INDEX = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>MSP Portal</title>
  </head>
  <body><div id="root"></div></body>
</html>
"""

HOSTILE = 'Harbor & Finch </script><script>alert("x")</script> <b>IT</b>'


def _config(page: str) -> dict[str, str]:
    match = re.search(
        rf'<script id="{CONFIG_ELEMENT_ID}" type="application/json">(.*?)</script>', page, re.DOTALL
    )
    assert match, page
    return json.loads(match.group(1))


def _title(page: str) -> str:
    match = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert match, page
    return match.group(1)


def test_the_msp_name_setting_names_the_page_and_reaches_the_spa(settings):
    settings.MSP_NAME = "Harbor IT"
    page = inject_portal_config(INDEX)
    assert _title(page) == "Harbor IT"
    assert _config(page) == {"mspName": "Harbor IT"}
    assert page.count("<title>") == 1
    # The configuration sits in the head, before anything the SPA runs.
    assert page.index(f'id="{CONFIG_ELEMENT_ID}"') < page.index("</head>")


def test_a_name_with_markup_cannot_break_out_of_the_title_or_the_script(settings):
    settings.MSP_NAME = HOSTILE
    page = inject_portal_config(INDEX)
    # Only the page's own script tag: the name's "</script><script>" is escaped, not markup.
    assert page.count("<script") == 1
    assert page.count("</script>") == 1
    assert "<b>" not in page
    assert html.unescape(_title(page)) == HOSTILE
    assert _config(page) == {"mspName": HOSTILE}


def test_a_page_without_a_title_gets_one(settings):
    settings.MSP_NAME = "Harbor IT"
    page = inject_portal_config("<html><head></head><body></body></html>")
    assert _title(page) == "Harbor IT"
    assert _config(page) == {"mspName": "Harbor IT"}


@pytest.mark.django_db
def test_the_spa_view_serves_the_built_index_with_the_msp_name(world, settings, tmp_path):
    (tmp_path / "index.html").write_text(INDEX, encoding="utf-8")
    settings.FRONTEND_DIST = tmp_path
    settings.MSP_NAME = HOSTILE
    response = HttpClient().get("/clients")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert html.unescape(_title(page)) == HOSTILE
    assert _config(page) == {"mspName": HOSTILE}
    assert page.count("</script>") == 1
