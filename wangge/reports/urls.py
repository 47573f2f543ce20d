from django.urls import path

from wangge.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.row, name="row"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
]
