from django.urls import path

from wangge.ledgers import views

app_name = "ledgers"

urlpatterns = [
    path("", views.index, name="index"),
    path("jobs/<int:pk>/", views.job_row, name="job"),
    path("jobs/<int:pk>/retry/", views.retry, name="retry"),
]
