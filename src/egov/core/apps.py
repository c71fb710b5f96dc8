from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "egov.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from django_tasks.signals import task_finished

        from . import signals  # noqa: F401
        from .jobs import dispatch_finished

        # A failed job runs the failure hooks its module registered (egov.core.jobs).
        task_finished.connect(dispatch_finished, dispatch_uid="egov.core.jobs.dispatch_finished")

        # The outbox: every worker's periodic pass enqueues a send job when retries fall due.
        from django.conf import settings

        from . import jobs, outbox

        jobs.every("core.outbox", settings.EGOV_SWEEP_SECONDS, outbox.outbox_sweep)

        # The catalogues the migrations seed are put back after a flush, as Django's content
        # types and permissions are (egov.core.seeds): the kernel's roles first.
        from django.db.models.signals import post_migrate

        from . import seeds
        from .catalog import seed_roles

        seeds.register_seed(
            "core.roles", "core.Role",
            lambda apps: seed_roles(apps.get_model("core", "Role"),
                                    apps.get_model("core", "RoleGrant")))
        post_migrate.connect(seeds.reseed_after_flush, sender=self,
                             dispatch_uid="core.seeds.reseed_after_flush")

