from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "egov.petitions"
    label = "petitions"
    verbose_name = _("Petitions and citizen reception")

    def ready(self) -> None:
        from egov.core.nav import register_module
        from egov.core.policy import register_action

        from .catalog import ACTIONS

        for code, label in ACTIONS.items():
            register_action(code, label)
        register_module("petitions", _("Petitions"))
        # Menu entries, subscribers, periodic jobs and audit labels are registered by the parts
        # that own them, each in its own marked block below (docs/petitions.md).

        # --- petition pages (views/petition.py, views/lists.py) ---
        # --- end petition pages ---
        # --- intake: desk, reception sessions, portal (i11-intake) ---
        from egov.core.audit_labels import register_audit_labels
        from egov.core.nav import NavEntry, register_nav

        from . import pdf_receipt
        from .services import slips as slip_services

        slip_services.register_renderer("02_tcd", pdf_receipt.render)
        register_nav(NavEntry("petitions_intake", _("Receive petitions"), "petitions:intake",
                              action="petitions.receive", order=240))
        register_nav(NavEntry("petitions_reception", _("Reception sessions"),
                              "petitions:reception_sessions", action="petitions.receive",
                              order=241))
        register_audit_labels({
            "petition.submit": _("Petition sent from the portal"),
            "petition.receive": _("Petition received"),
            "petition.session.open": _("Reception session opened"),
            "petition.session.close": _("Reception session closed"),
            "petition.visit.record": _("Visit recorded in the reception register"),
        })
        # --- end intake ---
        # --- e-mail: mailbox polling and acknowledgements (i11-mail) ---
        from egov.core import jobs, outbox

        from . import admin_mail, mail_templates  # noqa: F401  (admin pages of the mailboxes)
        from .services import mail as mail_service

        outbox.register_templates(mail_templates.template_rows())
        jobs.every("petitions.mail", 30, mail_service.mail_sweep)
        # --- end e-mail ---
        # --- workflow and deadlines (i11-workflow) ---
        from egov.core import jobs, outbox

        from . import hooks, tasks_workflow, workflow_notify, workflow_templates

        outbox.register_templates(workflow_templates.template_rows())
        hooks.subscribe("petitions.workflow_notify", workflow_notify.on_petition_changed)
        jobs.every("petitions.reminders", 3600, tasks_workflow.enqueue_reminders)
        from egov.core.audit_labels import register_audit_labels

        from .workflow_audit_labels import LABELS as WORKFLOW_AUDIT_LABELS

        register_audit_labels(WORKFLOW_AUDIT_LABELS)
        # --- end workflow ---
        # --- slips and duplicates (i11-slips) ---
        # --- end slips ---
        # --- protection, search, reports (i11-reports) ---
        from egov.core import outbox
        from egov.core.nav import NavEntry, register_nav

        from . import hooks
        from .services import satisfaction
        from .views.lists import may_use_list

        register_nav(NavEntry("petitions_list", _("Petitions"), "petitions:list", order=210,
                              visible=may_use_list))
        register_nav(NavEntry("petitions_reports", _("Petition reports"), "petitions:report",
                              action="petitions.reports", order=335))
        outbox.register_templates(satisfaction.template_rows())
        # The petitioner's address in an outbox row is confidential (Luật Tố cáo Art.47.2).
        outbox.register_confidential_module("petitions")
        hooks.subscribe("petitions.satisfaction", satisfaction.on_petition_changed)
        # --- end reports ---
        # The grants and deadline rules the migrations seed, again after a flush
        # (egov.core.seeds).
        from egov.core.seeds import register_seed

        from .catalog import seed_deadline_rules, seed_role_grants

        register_seed("petitions.grants", "core.RoleGrant", seed_role_grants)
        register_seed("petitions.deadline_rules", "petitions.DeadlineRule", seed_deadline_rules)

