from django.urls import path

from wangge.workforce import views

app_name = "workforce"

urlpatterns = [
    path("", views.my_page, name="me"),
    path("tick/", views.tick, name="tick"),
    path("ticks/<int:pk>/untick/", views.untick, name="untick"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("roster/", views.roster_page, name="roster"),
    path("scorecards/<int:pk>/", views.scorecard_page, name="scorecard"),
    path("duties/", views.duties_page, name="duties"),
    path("progress/", views.progress_page, name="progress"),
    path("training/", views.training_page, name="training"),
    path("training/new/", views.training_new, name="training_new"),
    path("training/<int:pk>/", views.session_page, name="session"),
]
