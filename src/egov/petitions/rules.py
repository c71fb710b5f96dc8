"""The time-limit table of petitions (services.md §2.3) as data, and the pure rules that read it.

`RULES` is the seed of `DeadlineRule` rows (migration 0004_deadline_rules); once seeded the rows
are the law the code applies — administrators correct them in the admin, with a new row and
effective dates when a text changes (services.md §0.1). The UNVERIFIED readings of the domain
text are marked in each row's `note`.

Selection (`pick`): among the rows of a step in force on the start day (BLDS 2015 Art.156:
the law in force when the period starts), a row matches when each of its dimensions is blank
or equal to the petition's; the most specific row (most dimensions set) wins, then the latest
`effective_from`. A complaint's "complex" rows also cover "especially complex" (the complaint
texts know only one level of complexity, Luật KN Art.28, 37).

Counting (`due_for`): working-day rules through `calendar.working_deadline` (the first day not
counted, BLDS Art.147; the time of day kept); calendar-day rules through
`calendar.calendar_deadline` with the row's roll-forward (BLDS Art.148.5), ending at 24:00 of
the last day (BLDS Art.148.1 — stored as 23:59:59 local time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from egov.core import calendar

# --- steps ------------------------------------------------------------------------------------

PROCESSING = "processing"          # xử lý đơn: classify and decide what to do with the letter
ACCEPTANCE = "acceptance"          # thụ lý of a complaint
FORWARD = "forward"                # forward a denunciation outside competence
RESOLUTION = "resolution"          # giải quyết
EXTENSION = "extension"            # gia hạn (denunciations)
LIMITATION = "limitation"          # thời hiệu khiếu nại
LIMITATION_DISMISSAL = "limitation_dismissal"
SECOND_INSTANCE = "second_instance_filing"
FINAL = "final"                    # a decision becomes final
RECEPTION_ANSWER = "reception_answer"
REFUSAL_NOTICE = "refusal_notice"
NOTIFY_FORWARDER = "notify_forwarder"
DIALOGUE_NOTICE = "dialogue_notice"
SUSPENSION_NOTICE = "suspension_notice"

# Steps that become work items with a due time (the others are checks or notice periods).
WORK_STEPS = (PROCESSING, ACCEPTANCE, FORWARD, RESOLUTION)

W, C = "working", "calendar"
OLD = dt.date(2014, 7, 1)        # Luật TCD 42/2013 in force; earlier rows are not needed
SWITCH = dt.date(2026, 7, 1)     # Luật 136/2025, NĐ 154/155/156/2026 in force
UNVERIFIED = "UNVERIFIED (services.md §2.3, §7): "
PLAIN_DAYS = ("“ngày” read as calendar days; whether BLDS Art.148.5 applies is UNVERIFIED "
              "(services.md §2.3 notes) — roll_forward off.")


def _row(code, step, days, unit, counted_from, basis, *, kind="", instance=None,
         complexity="", remote_area=None, complaint_subject="", max_times=None,
         effective_from=OLD, effective_to=None, roll_forward=False, note=""):
    return {"code": code, "step": step, "kind": kind, "instance": instance,
            "complexity": complexity, "remote_area": remote_area,
            "complaint_subject": complaint_subject, "days": days, "unit": unit,
            "roll_forward": roll_forward, "counted_from": counted_from, "max_times": max_times,
            "legal_basis": basis, "effective_from": effective_from,
            "effective_to": effective_to, "transition_policy": "start_day", "note": note}


LKN = "Luật Khiếu nại 02/2011/QH13"
LTC = "Luật Tố cáo 25/2018/QH14"
LTCD = "Luật Tiếp công dân 42/2013/QH13"

RULES: list[dict] = [
    # Reception (Luật TCD; NĐ 154/2026)
    _row("tcd-answer", RECEPTION_ANSWER, 10, W, "receipt", f"{LTCD}, Điều 28 khoản 1"),
    _row("tcd-refusal-notice", REFUSAL_NOTICE, 3, W, "grounds established",
         "NĐ 154/2026/NĐ-CP, Điều 4 khoản 3", effective_from=SWITCH),
    _row("tcd-notify-forwarder", NOTIFY_FORWARDER, 7, W, "settlement",
         f"{LTCD}, Điều 27 khoản 2"),
    # Processing of a received letter
    _row("xld-processing", PROCESSING, 10, W, "receipt", "TT 05/2021/TT-TTCP",
         note=UNVERIFIED + "10 working days believed to be TT 05/2021."),
    _row("tc-processing", PROCESSING, 7, W, "receipt", f"{LTC}, Điều 24 khoản 1",
         kind="denunciation",
         note="Extendable to at most 10 working days (verification at several places, or "
              "delegated checks)."),
    _row("tc-forward", FORWARD, 5, W, "receipt", f"{LTC}, Điều 24 khoản 2",
         kind="denunciation",
         note="Not processed when also sent to the competent body, or re-sent after guidance "
              "(Điều 24 khoản 3)."),
    # Complaints: thụ lý (the 2026 switch)
    _row("kn-acceptance", ACCEPTANCE, 10, W, "receipt of a complaint within competence",
         f"{LKN}, Điều 27, 36; TT 07/2013/TT-TTCP Điều 5", kind="complaint",
         effective_to=dt.date(2026, 6, 30),
         note="The law says 10 days; TT 07/2013 reads them as working days."),
    _row("kn-acceptance", ACCEPTANCE, 7, W, "receipt of a complaint within competence",
         "NĐ 124/2020/NĐ-CP Điều 16 (sửa đổi bởi NĐ 155/2026/NĐ-CP, Điều 10)",
         kind="complaint", effective_from=SWITCH,
         note=UNVERIFIED + "Luật 136/2025 may change the statutory figure (Luật KN Art.27)."),
    _row("kn-disc-acceptance", ACCEPTANCE, 10, C, "receipt", f"{LKN}, Điều 50",
         kind="complaint", complaint_subject="disciplinary", note=PLAIN_DAYS),
    # Complaints: first instance (Art.28), second instance (Art.37)
    _row("kn1-resolution", RESOLUTION, 30, C, "thụ lý", f"{LKN}, Điều 28", kind="complaint", complaint_subject="administrative",
         instance=1, remote_area=False, note=PLAIN_DAYS),
    _row("kn1-resolution-complex", RESOLUTION, 45, C, "thụ lý", f"{LKN}, Điều 28",
         kind="complaint", complaint_subject="administrative", instance=1, complexity="complex", remote_area=False,
         note=PLAIN_DAYS),
    _row("kn1-resolution-remote", RESOLUTION, 45, C, "thụ lý", f"{LKN}, Điều 28",
         kind="complaint", complaint_subject="administrative", instance=1, remote_area=True, note=PLAIN_DAYS),
    _row("kn1-resolution-remote-complex", RESOLUTION, 60, C, "thụ lý", f"{LKN}, Điều 28",
         kind="complaint", complaint_subject="administrative", instance=1, complexity="complex", remote_area=True,
         note=PLAIN_DAYS),
    _row("kn2-resolution", RESOLUTION, 45, C, "thụ lý", f"{LKN}, Điều 37", kind="complaint", complaint_subject="administrative",
         instance=2, remote_area=False, note=PLAIN_DAYS),
    _row("kn2-resolution-complex", RESOLUTION, 60, C, "thụ lý", f"{LKN}, Điều 37",
         kind="complaint", complaint_subject="administrative", instance=2, complexity="complex", remote_area=False,
         note=PLAIN_DAYS),
    _row("kn2-resolution-remote", RESOLUTION, 60, C, "thụ lý", f"{LKN}, Điều 37",
         kind="complaint", complaint_subject="administrative", instance=2, remote_area=True, note=PLAIN_DAYS),
    _row("kn2-resolution-remote-complex", RESOLUTION, 70, C, "thụ lý", f"{LKN}, Điều 37",
         kind="complaint", complaint_subject="administrative", instance=2, complexity="complex", remote_area=True,
         note=PLAIN_DAYS),
    _row("kn-disc-resolution", RESOLUTION, 30, C, "thụ lý", f"{LKN}, Điều 50",
         kind="complaint", complaint_subject="disciplinary", note=PLAIN_DAYS),
    _row("kn-disc-resolution-complex", RESOLUTION, 45, C, "thụ lý", f"{LKN}, Điều 50",
         kind="complaint", complaint_subject="disciplinary", complexity="complex",
         note=PLAIN_DAYS),
    # Complaints: filing the second instance, finality, limitation
    _row("kn-second-instance", SECOND_INSTANCE, 30, C,
         "receipt of the 1st-instance decision, or Art.28 period expiry",
         f"{LKN}, Điều 33", kind="complaint", remote_area=False, note=PLAIN_DAYS),
    _row("kn-second-instance-remote", SECOND_INSTANCE, 45, C,
         "receipt of the 1st-instance decision, or Art.28 period expiry",
         f"{LKN}, Điều 33", kind="complaint", remote_area=True, note=PLAIN_DAYS),
    _row("kn-final", FINAL, 30, C, "issue", f"{LKN}, Điều 44", kind="complaint",
         remote_area=False, note=PLAIN_DAYS),
    _row("kn-final-remote", FINAL, 45, C, "issue", f"{LKN}, Điều 44", kind="complaint",
         remote_area=True, note=PLAIN_DAYS),
    _row("kn-limitation", LIMITATION, 90, C,
         "receipt or knowledge of the decision or act", f"{LKN}, Điều 9", kind="complaint",
         note="Time lost to illness, disaster, travel etc. is excluded (a good reason the "
              "officer records). " + PLAIN_DAYS),
    _row("kn-disc-limitation-1", LIMITATION, 15, C, "receipt of the disciplinary decision",
         f"{LKN}, Điều 48", kind="complaint", complaint_subject="disciplinary", instance=1,
         note=PLAIN_DAYS),
    _row("kn-disc-limitation-2", LIMITATION, 10, C, "receipt of the first-instance decision",
         f"{LKN}, Điều 48", kind="complaint", complaint_subject="disciplinary", instance=2,
         note=PLAIN_DAYS),
    _row("kn-disc-limitation-dismissal", LIMITATION_DISMISSAL, 30, C,
         "receipt of a buộc thôi việc decision", f"{LKN}, Điều 48", kind="complaint",
         complaint_subject="disciplinary", note=PLAIN_DAYS),
    _row("kn-dialogue-notice", DIALOGUE_NOTICE, 5, C, "before the dialogue",
         "NĐ 124/2020/NĐ-CP (sửa đổi bởi NĐ 155/2026/NĐ-CP, Điều 11)", kind="complaint",
         effective_from=SWITCH, note="At least 5 days before the dialogue."),
    _row("kn-suspension-notice", SUSPENSION_NOTICE, 3, W, "issue",
         "NĐ 124/2020/NĐ-CP Điều 28b (NĐ 155/2026/NĐ-CP)", kind="complaint",
         effective_from=SWITCH),
    # Denunciations: solving (Art.30) and its extensions
    _row("tc-resolution", RESOLUTION, 30, C, "thụ lý decision", f"{LTC}, Điều 30",
         kind="denunciation", note=PLAIN_DAYS),
    _row("tc-extension-complex", EXTENSION, 30, C, "the current deadline",
         f"{LTC}, Điều 30; NĐ 31/2019/NĐ-CP Điều 3, Mẫu 01", kind="denunciation",
         complexity="complex", max_times=1, note="Each extension at most 30 days, by decision."),
    _row("tc-extension-very-complex", EXTENSION, 30, C, "the current deadline",
         f"{LTC}, Điều 30; NĐ 31/2019/NĐ-CP Điều 3, Mẫu 01", kind="denunciation",
         complexity="very_complex", max_times=2,
         note="Two extensions, each at most 30 days (at most 90 days in all)."),
]


# --- selection ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What a rule is chosen by."""

    kind: str
    instance: int = 1
    complexity: str = "normal"
    remote_area: bool = False
    complaint_subject: str = ""

    @classmethod
    def of(cls, petition) -> Facts:
        return cls(kind=petition.kind or "", instance=petition.instance or 1,
                   complexity=petition.complexity or "normal",
                   remote_area=bool(petition.remote_area),
                   complaint_subject=petition.complaint_subject or "")


def _complexities(facts: Facts) -> set[str]:
    out = {facts.complexity}
    if facts.kind == "complaint" and facts.complexity == "very_complex":
        out.add("complex")
    return out


def matches(rule, facts: Facts, day: dt.date) -> bool:
    if rule.effective_from > day or (rule.effective_to is not None and rule.effective_to < day):
        return False
    if rule.kind and rule.kind != facts.kind:
        return False
    if rule.instance is not None and rule.instance != facts.instance:
        return False
    if rule.complexity and rule.complexity not in _complexities(facts):
        return False
    if rule.remote_area is not None and rule.remote_area != facts.remote_area:
        return False
    subject = facts.complaint_subject or ("administrative" if facts.kind == "complaint" else "")
    return not (rule.complaint_subject and rule.complaint_subject != subject)


def specificity(rule) -> tuple:
    dims = sum(1 for v in (rule.kind, rule.complexity, rule.complaint_subject) if v)
    dims += sum(1 for v in (rule.instance, rule.remote_area) if v is not None)
    # a "complex" rule matched by "especially complex" ranks below an exact one
    return dims, rule.effective_from


def pick(rules, facts: Facts, day: dt.date):
    """The most specific rule in force on `day` among `rules` (an iterable of DeadlineRule),
    or None."""
    found = [r for r in rules if matches(r, facts, day)]
    if not found:
        return None
    return max(found, key=specificity)


# --- counting -----------------------------------------------------------------------------------

END_OF_DAY = dt.time(23, 59, 59)


def due_for(rule, start: dt.datetime, *, days: int | None = None) -> dt.datetime:
    """The due instant of `rule` (its days, or `days`) for a period starting at `start`."""
    n = rule.days if days is None else days
    if rule.unit == W:
        # The period runs from receipt (not moved by the 15:00 cut-off): "kể từ ngày nhận".
        return calendar.working_deadline(start, n, cutoff_moves_start=False)
    last = calendar.calendar_deadline(calendar.localtime(start).date(), n,
                                      roll_forward=rule.roll_forward)
    return dt.datetime.combine(last, END_OF_DAY, tzinfo=calendar.LOCAL_TZ)


def last_day(rule, start: dt.date) -> dt.date:
    """The last day of a calendar-day period (limitation, filing windows) counted from `start`."""
    if rule.unit == W:
        return calendar.add_working_days(start, rule.days)
    return calendar.calendar_deadline(start, rule.days, roll_forward=rule.roll_forward)


def judge(done_at: dt.datetime, due_at: dt.datetime | None) -> str:
    """"on_time" or "late" against the deadline."""
    if due_at is None or done_at <= due_at:
        return "on_time"
    return "late"


def shift(due_at: dt.datetime, rule_unit: str, begin: dt.datetime, end: dt.datetime,
          ) -> dt.datetime:
    """`due_at` moved by the time paused between `begin` and `end` (NĐ 124/2020 Art.28b as
    amended by NĐ 155/2026: the period continues from the resumption decision): working days
    paused for a working-day rule, calendar days otherwise, the time of day kept."""
    local = calendar.localtime(due_at)
    if rule_unit == W:
        paused = calendar.pause_working_days([(begin, end)])
        if not paused:
            return local
        return dt.datetime.combine(calendar.add_working_days(local.date(), paused),
                                   local.timetz())
    days = (calendar.localtime(end).date() - calendar.localtime(begin).date()).days
    return local + dt.timedelta(days=max(days, 0))
