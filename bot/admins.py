"""Who the app's admins are: they change the team settings and are told when a set-up problem
stops the alerts or the digest (a channel the app is not in).

A recruiting lead is often no workspace admin, so `INMAIL_ADMINS` can name them: Slack user ids
(`U…`, `W…`) and user group ids (`S…`, its members at the time of asking). Unset, the
workspace's admins and owners are the app's admins, as Slack says. When Slack cannot be asked,
nobody is taken for an admin: a form is not opened rather than opened to anyone.
"""
from __future__ import annotations

from typing import Any, Iterable

from bot.slack_client import slack_call

USERS_PAGE = 200


def _group_members(client: Any, groups: Iterable[str]) -> set[str]:
    members: set[str] = set()
    for group in groups:
        found = slack_call("usergroups.users.list", None, client.usergroups_users_list, usergroup=group)
        members.update((found or {}).get("users") or [])
    return members


def is_admin(client: Any, configured: tuple[str, ...], user_id: str) -> bool:
    if configured:
        return user_id in configured or user_id in _group_members(client, [a for a in configured if a[0] == "S"])
    info = slack_call("users.info", None, client.users_info, user=user_id)
    user = (info or {}).get("user") or {}
    return bool(user.get("is_admin") or user.get("is_owner"))


def admin_ids(client: Any, configured: tuple[str, ...]) -> list[str]:
    """Every admin's user id (for a DM about a set-up problem), sorted; empty when Slack cannot say."""
    if configured:
        return sorted({a for a in configured if a[0] != "S"} | _group_members(client, [a for a in configured if a[0] == "S"]))
    admins: set[str] = set()
    cursor = None
    while True:
        page = slack_call("users.list", None, client.users_list, limit=USERS_PAGE, **({"cursor": cursor} if cursor else {}))
        if page is None:
            break
        admins.update(u["id"] for u in page.get("members") or []
                      if (u.get("is_admin") or u.get("is_owner")) and not u.get("deleted") and not u.get("is_bot"))
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return sorted(admins)
