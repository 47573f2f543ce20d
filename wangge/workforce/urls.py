from django.urls import path

from wangge.workforce import views

app_name = "workforce"

urlpatterns = [
    path("", views.my_page, name="me"),
    path("tick/", views.tick, name="tick"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("roster/", views.roster_page, name="roster"),
    path("scorecards/<int:pk>/", views.scorecard_page, name="scorecard"),
]
