"""The QĐ 766/QĐ-TTg indicators the one-stop module can compute (services.md §1.9), from a
statistics report (selectors/stats.py), each with its formula as shown on the page and in the
export. Shares are fractions (0–1); 2.2 is in working days.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .stats import StatsReport


@dataclass
class Indicator:
    code: str
    name: str
    formula: str
    numerator: float | int
    denominator: int
    value: float | None  # a share 0–1, or working days for 2.2
    unit: str  # "share" or "days"

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "formula": self.formula,
                "numerator": self.numerator, "denominator": self.denominator,
                "value": self.value, "unit": self.unit}


def _share(num, den) -> float | None:
    return num / den if den else None


def indicators(report: StatsReport) -> list[Indicator]:
    t, x = report.totals, report.extra
    counted = t["received"]
    on_time = t["early"] + t["on_time"] + t["in_time"]
    late = t["late"] + t["overdue"]
    solved_n = sum(r["resolved"] for r in report.solving)
    solved_days = sum(r["working_days"] for r in report.solving)
    satisfaction = None
    if counted:
        satisfaction = max(0.0, 1.0 - (late / counted + x["dissatisfied"] / counted))
    return [
        Indicator("2.1", _("On-time share"),
                  _("(finished early + finished on time + in progress in time) ÷ dossiers "
                    "received or processed in the period"),
                  on_time, counted, _share(on_time, counted), "share"),
        Indicator("2.2", _("Average solving time"),
                  _("Σ (working days from receipt to result − working days waiting for the "
                    "applicant's supplement) ÷ dossiers with a result in the period"),
                  solved_days, solved_n,
                  round(solved_days / solved_n, 2) if solved_n else None, "days"),
        Indicator("3.3", _("Online share"),
                  _("dossiers received online in the period, not counting those whose result "
                    "was given on paper only ÷ dossiers received in the period"),
                  x["online_counted"], t["new"], _share(x["online_counted"], t["new"]),
                  "share"),
        Indicator("4.1", _("Electronic results"),
                  _("dossiers with an electronic (signed) result ÷ dossiers with a result in "
                    "the period"),
                  x["electronic"], t["resolved"], _share(x["electronic"], t["resolved"]),
                  "share"),
        Indicator("5.4", _("Satisfaction"),
                  _("100 % − (late and overdue share + share rated dissatisfied), over the "
                    "dossiers received or processed in the period"),
                  counted - late - x["dissatisfied"], counted, satisfaction, "share"),
    ]
