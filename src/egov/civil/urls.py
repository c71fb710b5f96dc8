from django.urls import include, path

app_name = "civil"

# One include per area, so that the areas' pages are kept apart (issue 13).
urlpatterns: list = [
    path("", include("egov.civil.views.urls_pages")),
    path("certificates/", include("egov.civil.views.urls_certificates")),
    path("statistics/", include("egov.civil.views.urls_stats")),
    path("intake/", include("egov.civil.views.urls_intake")),
]
