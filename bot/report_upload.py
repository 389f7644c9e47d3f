"""LinkedIn Recruiter's report uploaded in App Home's settings form, imported as
`inmail-review import` does (`bot/importer.py`, recruiters looked up in Slack).

The file is fetched with `files.info`, then its `url_private_download` with the bot token (sent
only over HTTPS, or to the configured Web API's host: a test's stand-in), at most
`IMPORT_MAX_BYTES`. Whatever happens is said in words for the form, in its reader's language;
a file that cannot be read stores nothing.
"""
from __future__ import annotations

import http.client
import urllib.request
from urllib.error import URLError
from urllib.parse import urlsplit

from bot.i18n import _
from bot.importer import SlackDirectory, import_report, summary
from bot.listeners.common import Deps
from bot.review_service import slack_post
from models.linkedin_import import AmbiguousDates, DateOrder, ReportError
from rules.i18n import N_

SLACK_UNKNOWN_HINT = N_("no Slack user has that e-mail or name; `inmail-review import --map` can name them")
IMPORT_MAX_BYTES = 5 * 1024 * 1024  # a report row is ~100 bytes: room for ~50,000 recruiter-periods
IMPORT_SUMMARY_LINES = 20
DOWNLOAD_TIMEOUT_S = 10.0


def _trusted(url: str, api_url: str) -> bool:
    """Where the bot token may be sent: HTTPS, or the host of the configured Web API (a test's stand-in)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.netloc == urlsplit(api_url).netloc)


def _download(url: str, token: str) -> bytes:
    """The file's bytes, read up to one past the limit (so a file over it is known as such)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response:
        return response.read(IMPORT_MAX_BYTES + 1)


def import_upload(team: str, deps: Deps, file_id: str, date_order: DateOrder | None = None) -> str:
    """Fetches and imports the uploaded report; what happened, in words for the form."""
    info = slack_post("files.info", None, deps.client.files_info, file=file_id)
    shared = (info or {}).get("file") or {}
    name, url = shared.get("name") or _("The file"), shared.get("url_private_download") or ""
    if not url or not _trusted(url, deps.settings.slack_api_url):
        return _("{name} could not be fetched from Slack; nothing was imported.", name=name)
    too_large = _("{name} is over {megabytes} MB, too large for an InMail report; nothing was imported.", name=name,
                  megabytes=IMPORT_MAX_BYTES // 1_048_576)
    if int(shared.get("size") or 0) > IMPORT_MAX_BYTES:
        return too_large
    try:
        data = _download(url, deps.client.token or "")
    except (URLError, OSError, http.client.HTTPException) as error:
        return _("{name} could not be downloaded from Slack ({error}); nothing was imported.", name=name,
                 error=type(error).__name__)
    if len(data) > IMPORT_MAX_BYTES:
        return too_large
    try:
        result = import_report(deps.outreach, team, data, date_order=date_order, lookup=SlackDirectory(deps.client),
                               unknown_hint=_(SLACK_UNKNOWN_HINT))
    except AmbiguousDates as error:
        # Translators: "Day first", "Month first" and "Dates in the report" are the settings form's words.
        return _("{name} cannot be read: {error}. Choose “Day first” or “Month first” under “Dates in the report” "
                 "and upload it again. Nothing was imported.", name=name, error=error)
    except ReportError as error:
        return _("{name} cannot be read: {error}. Nothing was imported.", name=name, error=error)
    return _("{name}: {summary}", name=name, summary=summary(result, limit=IMPORT_SUMMARY_LINES))
