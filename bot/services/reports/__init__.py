"""The overview's companions: the evaluation talk's pack (/review), the organisation's month (/report), their
charts and their words."""

from bot.services.reports.service import MonthReport, ReportService, ReviewPack, TalkService

__all__ = ["MonthReport", "ReportService", "ReviewPack", "TalkService"]
