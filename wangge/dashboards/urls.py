from django.urls import path

from wangge.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("events/", views.events, name="events"),
    path("basedata/", views.basedata, name="basedata"),
    path("screen/", views.screen, name="screen"),
]
