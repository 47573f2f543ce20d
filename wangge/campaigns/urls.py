from django.urls import path

from wangge.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="new"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/launch/", views.campaign_launch, name="launch"),
    path("<int:pk>/close/", views.campaign_close, name="close"),
    path("<int:pk>/import/", views.campaign_import, name="import"),
    path("<int:pk>/mine/", views.campaign_mine, name="mine"),
    path("<int:pk>/targets/<int:target_pk>/", views.target_detail, name="target"),
    path("<int:pk>/targets/<int:target_pk>/attempt/", views.target_attempt, name="attempt"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
