"""Everything the database holds for one workspace, deleted at once: what an admin may choose to
happen when the app is uninstalled (`TeamSettings.on_uninstall`, "purge").

The tables are read from the schema, not listed here: every row of ours carries its `team_id`
(models/store.py), so every table with that column holds team data, and a table added later is
purged without anyone remembering to add it. The app-wide tables (`schema_migrations`, the
`trait_sets` lookup of rule-name sets) have no such column and no team's data. `drafts` goes last:
it is the table others refer to by foreign key (reviews, outcomes). The caller checkpoints
afterwards (`Store.checkpoint`), so the deleted text leaves the disk too.
"""
from __future__ import annotations

from models.store import Store

# Referred to by other tables' foreign keys: emptied after them.
PARENT_TABLES = ("drafts",)


def team_tables(store: Store) -> list[str]:
    """The tables that hold rows of a workspace, in an order they can be emptied in."""
    tables = [table for table in store.tables() if "team_id" in store.columns(table)]
    return sorted(tables, key=lambda table: (table in PARENT_TABLES, table))


def purge_team(store: Store, team_id: str) -> dict[str, int]:
    """Deletes every row of `team_id` in every table, in one transaction; rows deleted per table."""
    if not team_id:
        raise ValueError("a workspace id is needed: '' marks the app-wide rows")
    deleted: dict[str, int] = {}
    with store.transaction() as db:
        for table in team_tables(store):
            deleted[table] = db.execute(f"DELETE FROM [{table}] WHERE team_id = ?", (team_id,)).rowcount
    return deleted
