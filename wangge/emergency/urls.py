from django.urls import path

from wangge.emergency import views

app_name = "emergency"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("activate/", views.activate, name="activate"),
    path("tasks/", views.my_tasks, name="tasks"),
    path("outcome/", views.record, name="record"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/coverage/", views.coverage, name="coverage"),
    path("<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("<int:pk>/tasks/", views.emergency_tasks, name="emergency-tasks"),
]
