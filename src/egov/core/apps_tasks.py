"""django-tasks' database backend under a translatable name: its AppConfig has the English
verbose name "Tasks Database Backend" as a plain string, which the Vietnamese admin showed as
"TASKS DATABASE BACKEND" (issue 9 §5). INSTALLED_APPS names this class instead of the app."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background jobs")
