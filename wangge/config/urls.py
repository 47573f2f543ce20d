from django.contrib import admin
from django.urls import include, path

from wangge.api.root import api
from wangge.fieldwork.views import service_worker
from wangge.web.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The phone's service worker: served from the root so that its scope is the whole site.
    path("sw.js", service_worker, name="service-worker"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("events/", include("wangge.events.urls")),
    path("ledgers/", include("wangge.ledgers.urls")),
    path("people/", include("wangge.people.urls")),
    path("places/", include("wangge.places.urls")),
    path("assets/", include("wangge.assets.urls")),
    path("organisations/", include("wangge.organisations.urls")),
    path("campaigns/", include("wangge.campaigns.urls")),
    path("arrivals/", include("wangge.arrivals.urls")),
    path("care/", include("wangge.care.urls")),
    path("emergency/", include("wangge.emergency.urls")),
    path("inspections/", include("wangge.inspections.urls")),
    path("fieldwork/", include("wangge.fieldwork.urls")),
    path("dashboards/", include("wangge.dashboards.urls")),
    path("open311/v2/", include("wangge.open311.urls")),
    path("map/", include("wangge.maps.urls")),
    path("notifications/", include("wangge.notifications.urls")),
    path("workforce/", include("wangge.workforce.urls")),
    path("triage/", include("wangge.triage.urls")),
    path("portal/", include("wangge.portal.urls")),
    path("suggestions/", include("wangge.suggestions.urls")),
    path("reports/", include("wangge.reports.urls")),
    path("", include("wangge.web.urls")),
]
