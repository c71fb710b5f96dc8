from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("work/<int:pk>/", views.workitem_detail, name="workitem_detail"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("audit/", views.audit_trail, name="audit_log"),
    path("healthz", views.healthz, name="healthz"),
]
