"""A chat's settings as stored: analysis choices, language and time zone, reminders, its source."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from analysis.period import PeriodSpec
from analysis.settings import AnalysisSettings, Criterion, Thresholds


@dataclass(frozen=True)
class SettingsOverrides:
    """What one analysis asks for beyond the chat's settings (a file's caption). A period here
    was asked for this file (`période: tout` included): it must apply, where the chat's saved
    period is dropped, with a note, for a file without dates."""

    criterion: Criterion | None = None
    period: PeriodSpec | None = None


# A chat never seen analyses with analysis' own defaults: they are written there only.
_ANALYSIS_DEFAULTS = AnalysisSettings()


@dataclass(frozen=True)
class ChatSettings:
    """A chat's analysis settings (defaults for a chat never seen)."""

    chat_id: int
    language: str | None = None
    timezone: str | None = None
    criterion: Criterion = _ANALYSIS_DEFAULTS.criterion
    thresholds: Thresholds = _ANALYSIS_DEFAULTS.thresholds
    period: PeriodSpec = _ANALYSIS_DEFAULTS.period
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

    def analysis_settings(self, overrides: SettingsOverrides | None = None) -> AnalysisSettings:
        """The one place an analysis' settings are made: the chat's, then the overrides."""
        settings = AnalysisSettings(
            self.criterion, self.thresholds, self.period, period_required=False
        )
        if overrides is None:
            return settings
        if overrides.period is not None:
            settings = replace(settings, period=overrides.period, period_required=True)
        return replace(settings, criterion=overrides.criterion or settings.criterion)
