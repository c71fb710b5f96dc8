"""The statistics summary of ended dossiers (docs/onestop.md "Statistics", issue 10 budget).

A dossier that has ENDED (NgayKetThucXuLy, `ended_at`) has a judgement that no longer depends
on the end of the reporting period: early / on time / late against `due_at`
(`rules.judge_end`). Such dossiers are counted once per local end day and key in `StatsDay`;
the report sums those rows for the days of the period and judges only the dossiers still open
(or ended after the summary's last day) live. `StatsDossier` remembers what each dossier added
to which row, so that a dossier that changes after ending (returned, rated, corrected) moves:
the old row is decremented, the new one incremented.

Both tables are written by `services/stats_summary.py` only: through the dossier services'
hook (`hooks.dossier_changed`, inside the writing transaction) and the rating service, and
rebuilt from the dossiers by `egov onestop_stats_rebuild`.
"""

from __future__ import annotations

from django.db import models

from egov.core.models import OrgUnit


class StatsDay(models.Model):
    """The ended dossiers of one local end day and one key (competent unit, receiving centre,
    procedure, channel, judgement), with the counts of the report's columns and indicators."""

    day = models.DateField()  # local date of ended_at
    # No index of their own: every read is by a range of days (the key's unique index).
    competent_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+",
                                       db_index=False)
    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    procedure = models.ForeignKey("onestop.Procedure", on_delete=models.PROTECT,
                                  related_name="+", db_index=False)
    channel = models.CharField(max_length=16)
    kind = models.CharField(max_length=8)  # rules.EARLY / ON_TIME / LATE
    n = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)  # state resolved or returned (with a result)
    supplemented = models.IntegerField(default=0)  # supplement_requests >= 1
    stopped = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    dissatisfied = models.IntegerField(default=0)  # a Rating with satisfied = False
    not_paper = models.IntegerField(default=0)  # result_medium != paper (QĐ 766 3.3)
    electronic = models.IntegerField(default=0)  # resolved with an electronic result (4.1)
    # QĐ 766 2.2 over the resolved ones: Σ (working days receipt day → end day − paused_days)
    solved_days = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "competent_unit", "agency", "procedure", "channel", "kind"],
                name="statsday_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.competent_unit_id}/{self.agency_id} {self.kind}: {self.n}"


class StatsDossier(models.Model):
    """What one ended dossier added to the summary: its row, the flags of the counts it added
    (`FLAGS` in services/stats_summary.py) and its working days (indicator 2.2)."""

    dossier = models.OneToOneField("onestop.Dossier", primary_key=True,
                                   on_delete=models.CASCADE, related_name="+")
    row = models.ForeignKey(StatsDay, on_delete=models.CASCADE, db_index=False,
                            related_name="+")
    flags = models.PositiveSmallIntegerField(default=0)
    solved_days = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.row_id}"
