from django.contrib import admin
from django.urls import include, path

from wangge.api.root import api
from wangge.web.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("events/", include("wangge.events.urls")),
    path("ledgers/", include("wangge.ledgers.urls")),
    path("people/", include("wangge.people.urls")),
    path("places/", include("wangge.places.urls")),
    path("assets/", include("wangge.assets.urls")),
    path("organisations/", include("wangge.organisations.urls")),
    path("", include("wangge.web.urls")),
]
