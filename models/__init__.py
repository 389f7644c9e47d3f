"""Records, storage and statistics. Imports nothing from `rules` or `bot`."""
from models.records import (
    CATEGORIES,
    FAMILIES,
    SEVERITIES,
    Draft,
    Finding,
    InputError,
    Metrics,
    Recipient,
    Review,
)

__all__ = ["CATEGORIES", "FAMILIES", "SEVERITIES", "Draft", "Finding", "InputError", "Metrics", "Recipient", "Review"]
