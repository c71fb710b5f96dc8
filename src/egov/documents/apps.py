from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "egov.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from egov.core.policy import register_action

        from .catalog import ACTIONS

        for code, label in ACTIONS.items():
            register_action(code, label)

        from egov.core.audit_labels import register_audit_labels
        from egov.core.nav import NavEntry, register_module, register_nav

        from . import audit_labels

        register_audit_labels(audit_labels.LABELS, audit_labels.GROUPS)

        register_module("documents", _("Documents"))

        # The pages' own preconditions beyond the action, from the user's grants (no query,
        # the menu is on every page): an entry is shown only to those it opens for.
        from egov.core import policy

        def _grants(user, action):
            return [g for g in policy.grants_for(user) if g.action == action]

        def leads_an_agency(user) -> bool:  # documents:incoming_queue (leader_agency_ids)
            return user.is_superuser or any(g.scope in ("all", "agency")
                                            for g in _grants(user, "documents.assign"))

        def reads_an_agency_register(user) -> bool:  # registers.reportable_agencies
            # a unit-scope grant on a division covers no agency; on an agency it does
            return user.is_superuser or any(g.scope != "unit" or g.unit_id == g.agency_id
                                            for g in _grants(user, "documents.reports"))

        def manages_case_files(user) -> bool:  # casefiles.manageable_agencies
            return user.is_superuser or any(g.scope == "all" or g.agency_id
                                            for g in _grants(user, "documents.manage_case_files"))

        for entry in [
            NavEntry("documents_incoming", _("Incoming documents"), "documents:incoming_list",
                     order=100),
            NavEntry("documents_queue", _("Waiting for instructions"),
                     "documents:incoming_queue", action="documents.assign", order=105,
                     visible=leads_an_agency),
            NavEntry("documents_outgoing", _("Outgoing documents"), "documents:outgoing_list",
                     action="documents.draft", order=110),
            NavEntry("documents_issue", _("Waiting to be issued"), "documents:outgoing_queue",
                     action="documents.issue", order=120),
            NavEntry("documents_search", _("Search documents"), "documents:search", order=130),
            # The leader's dashboard (issue 9 §5); the view checks view_all or assign.
            NavEntry("documents_dashboard", _("Documents dashboard"), "documents:dashboard",
                     action="documents.view_all", order=135),
            NavEntry("documents_registers", _("Registers"), "documents:registers",
                     action="documents.reports", order=140, visible=reads_an_agency_register),
            NavEntry("documents_files", _("Case files"), "documents:casefile_list",
                     action="documents.manage_case_files", order=150,
                     visible=manages_case_files),
        ]:
            register_nav(entry)

        # Search index upkeep (SQLite FTS5) and text extraction are signal handlers.
        from . import search  # noqa: F401

        self._use_signing(register_nav, NavEntry)

    @staticmethod
    def _use_signing(register_nav, NavEntry) -> None:
        """The documents module on the signing service (signing knows no module): outgoing
        documents as a signed subject (own-token sessions, batches, verification codes), the
        batch-signing page in the menu, the agency certificate's users, and the signature check
        of incoming PDFs (NĐ 30/2020, Điều 21.2: checked before registration)."""
        from egov.signing import subjects
        from egov.signing.incoming_verifier import verify_stored_pdf

        from .signing_subject import register_subject
        from .verification import register_verifier

        register_subject()
        # The cached public verification page follows the document's state (recall, replace).
        from django.db.models.signals import post_save

        from .models import OutgoingDocument
        from .verification_codes import forget_public_on_state_change

        post_save.connect(forget_public_on_state_change, sender=OutgoingDocument,
                          dispatch_uid="documents.verification_codes.forget_public")
        # The văn thư issues with the agency's certificate: warned before it expires.
        subjects.register_unit_certificate_action("documents.issue")
        register_nav(NavEntry("signing_batch", _("Sign in batch"), "signing:batch",
                              action="documents.sign", order=115))
        register_verifier(verify_stored_pdf)
        # The document types, urgency deadlines and grants the migrations seed, again after a
        # flush (egov.core.seeds).
        from egov.core.seeds import register_seed

        from .catalog import seed

        register_seed("documents.catalogue", "documents.DocumentType", seed)

