from django.urls import path

from wangge.triage import views

app_name = "triage"

urlpatterns = [
    path("suggest/", views.suggest, name="suggest"),
]
