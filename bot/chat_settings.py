"""A chat's settings as stored: analysis choices, language and time zone, reminders, its source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ChatSettings:
    """A chat's analysis settings (defaults for a chat never seen)."""

    chat_id: int
    language: str | None = None
    timezone: str | None = None
    criterion: str = "sales"
    cut_a: float = 80.0
    cut_b: float = 15.0
    period: str = "all"
    remind_every: str = "24m"
    remind_at: str = "09:00"
    heads_up_days: int = 14
    contract_days: int = 30
    contract_b: bool = False
    source_name: str | None = None
    source_every: str | None = None
    source_next_at: datetime | None = None
    source_failures: int = 0

    @property
    def contract_categories(self) -> tuple[str, ...]:
        """Whose contract ends are announced: A clients, and B clients when asked."""
        return ("A", "B") if self.contract_b else ("A",)
