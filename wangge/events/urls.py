from django.urls import path

from wangge.events import views

app_name = "events"

urlpatterns = [
    path("", views.index, name="index"),
    path("queue/", views.queue, name="queue"),
    path("queue/dispatch/", views.queue_dispatch, name="queue-dispatch"),
    path("inbox/", views.inbox, name="inbox"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.report, name="new"),
    path("nearby/", views.nearby, name="nearby"),
    path("join/<str:ref>/", views.join, name="join"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:slug>/", views.act, name="act"),
]
