from django.urls import path

from wangge.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_page, name="logout"),
    path("report/", views.report, name="report"),
    path("report/nearby/", views.nearby, name="nearby"),
    path("join/<str:number>/", views.join, name="join"),
    path("track/<str:number>/", views.track, name="track"),
    path("track/<str:number>/rate/", views.rate, name="rate"),
]
