"""The Django admin keeps its own look; only its titles are ours."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("eGov — Administration")
admin.site.site_title = _("eGov — Administration")
admin.site.index_title = _("Administration")
