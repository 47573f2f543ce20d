from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "wangge.bench"
    label = "bench"
