"""URLs of the directive pages (included from directives/urls.py, namespace "directives")."""

from django.urls import path
from django.views.generic import RedirectView

from . import detail, give, lists

urlpatterns = [
    # The menu marks an entry active for every page under its URL: the lists get their own.
    path("", RedirectView.as_view(pattern_name="directives:received"), name="home"),
    path("unit/", lists.received_list, name="received"),
    path("given/", lists.given_list, name="given"),
    path("new/", give.give_page, name="give"),
    path("<int:pk>/", detail.directive_detail, name="detail"),
    path("<int:pk>/do/<slug:action>/", detail.directive_action, name="action"),
    path("<int:pk>/files/<int:file_id>/", detail.directive_file, name="file"),
]
