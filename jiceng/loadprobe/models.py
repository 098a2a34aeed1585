from django.conf import settings
from django.db import models
from django.utils import timezone


class Ping(models.Model):
    """One request to the load probe: who sent it and when. The row is the whole point
    (the one INSERT the framework ceiling pays for); the benchmark deletes them after."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"ping {self.pk} by {self.user_id}"
