from django.urls import path

from wangge.fieldwork import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.today, name="today"),
    path("offline/", views.offline, name="offline"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
