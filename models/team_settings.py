"""A team's own settings (App Home's settings form): `TeamSettings` and the `team_settings`
table's owner (made by `models.store._v2_outreach`), one JSON row per team over the defaults."""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from models.policy import PolicyConfig, with_overrides
from models.store import Store

ON_UNINSTALL = ("keep", "purge")


@dataclass(frozen=True)
class TeamSettings:
    """A team's own numbers and places; `None` channels fall back to the environment's."""

    alert_channel: str | None = None
    digest_channel: str | None = None
    digest_weekday: int = 0  # Monday
    digest_hour: int = 9
    timezone: str = "UTC"
    retention_days: int = 30
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    language: str = "en"  # the interface language of the team's channels and of anyone who chose none
    # When the app is uninstalled from the workspace: its data is kept ("keep") or deleted ("purge").
    on_uninstall: str = "keep"

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_values(cls, values: dict[str, Any], base: "TeamSettings | None" = None) -> "TeamSettings":
        base = base or cls()
        policy = with_overrides(base.policy, values.get("policy") or {})
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__ and k != "policy"}
        return cls(**(asdict(base) | known | {"policy": policy}))


class TeamSettingsTable:
    """Each team's saved settings over `defaults`, the environment's (`bot.settings.Settings.team_defaults`)."""

    def __init__(self, store: Store, defaults: TeamSettings | None = None, home_team: str | None = None) -> None:
        self.store = store
        self.defaults = defaults or TeamSettings()
        # The workspace whose channels the defaults name (the bot token's); None: not known, every team's.
        self.home_team = home_team

    def get(self, team_id: str) -> TeamSettings:
        """The team's saved settings over the defaults. The defaults' channels are one workspace's
        (`home_team`): another team without settings of its own gets no alert or digest channel
        rather than a post in a channel of someone else's workspace, or everyone's in one."""
        rows = self.store.rows("SELECT settings FROM team_settings WHERE team_id = ?", (team_id,))
        if rows:
            return TeamSettings.from_values(json.loads(rows[0]["settings"]), self.defaults)
        if self.home_team is None or team_id == self.home_team:
            return self.defaults
        return replace(self.defaults, alert_channel=None, digest_channel=None)

    def save(self, team_id: str, settings: TeamSettings) -> None:
        self.store.execute("INSERT INTO team_settings (team_id, settings, updated_at) VALUES (?, ?, ?) "
                           "ON CONFLICT (team_id) DO UPDATE SET settings = excluded.settings, "
                           "updated_at = excluded.updated_at", (team_id, settings.to_json(), time.time()))
