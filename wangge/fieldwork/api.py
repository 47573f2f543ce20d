"""Field work (the worker's phone) under /api/v1/."""

from ninja import Router

router = Router(tags=["fieldwork"])
