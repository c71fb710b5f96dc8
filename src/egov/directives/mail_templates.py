"""The default text of the daily digest of directive reminders (core outbox template
``directives.digest``; seeded into a MessageTemplate row by migration 0003_bg_templates,
editable in the admin afterwards). Variables: name, date, count, items — each item has kind
("before", "overdue", "escalation"), days, level (1 unit head, 2 giver), code, title, due, lead,
role ("lead", "support"), since, url. Legal basis of the reminders: QĐ 42/2014/QĐ-TTg Art.6
(văn phòng theo dõi, đôn đốc việc thực hiện nhiệm vụ), provincial quy chế (UNVERIFIED)."""

from __future__ import annotations

BASIS = "QĐ 42/2014/QĐ-TTg (sửa đổi bởi QĐ 23/2018/QĐ-TTg); quy chế theo dõi nhiệm vụ của tỉnh"
_VARS = "name, date, count, items (kind, days, level, code, title, due, lead, role, since, url)"

SUBJECT_VI = "Nhắc việc ngày {{ date }}: {{ count }} nhiệm vụ cần chú ý"
BODY_VI = """Kính gửi {{ name }},

Các nhiệm vụ sau cần Ông/Bà chú ý ngày {{ date }}:
{% for i in items %}
- {{ i.code }} «{{ i.title }}»{% if i.kind == "escalation" %}
  Đơn vị chủ trì ({{ i.lead }}) chưa báo cáo tiến độ, xin gia hạn hay báo cáo hoàn thành sau lời nhắc ngày {{ i.since }} (hạn {{ i.due }}){% if i.level == 2 %}; đã báo người đứng đầu đơn vị{% endif %}.{% elif i.kind == "overdue" %}
  Đã quá hạn {{ i.days }} ngày làm việc (hạn {{ i.due }}){% if i.role == "support" %} — phần phối hợp của đơn vị{% endif %}.{% else %}
  Còn {{ i.days }} ngày làm việc đến hạn {{ i.due }}{% if i.role == "support" %} — phần phối hợp của đơn vị{% endif %}.{% endif %}
  {{ i.url }}{% endfor %}

Đây là thư tự động của hệ thống theo dõi nhiệm vụ; vui lòng không trả lời thư này."""

SUBJECT_EN = "Reminders of {{ date }}: {{ count }} directive(s) need attention"
BODY_EN = """Dear {{ name }},

These directives need your attention on {{ date }}:
{% for i in items %}
- {{ i.code }} "{{ i.title }}"{% if i.kind == "escalation" %}
  The lead unit ({{ i.lead }}) has not reported progress, asked for an extension or reported completion since the reminder of {{ i.since }} (deadline {{ i.due }}){% if i.level == 2 %}; the head of the unit was told{% endif %}.{% elif i.kind == "overdue" %}
  Overdue by {{ i.days }} working day(s) (deadline {{ i.due }}){% if i.role == "support" %} — your unit's supporting part{% endif %}.{% else %}
  {{ i.days }} working day(s) left until {{ i.due }}{% if i.role == "support" %} — your unit's supporting part{% endif %}.{% endif %}
  {{ i.url }}{% endfor %}

This is an automatic message of the directive tracking system; please do not reply."""


def template_rows() -> list[dict]:
    return [{"code": "directives.digest", "channel": "email", "language": lang,
             "subject": subject, "body": body, "legal_basis": BASIS,
             "notes": f"Variables: {_VARS}."}
            for lang, subject, body in (("vi", SUBJECT_VI, BODY_VI), ("en", SUBJECT_EN, BODY_EN))]
