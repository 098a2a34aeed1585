"""The Celery app: background jobs on a worker when REDIS_URL is set (docs/jobs.md).

Nothing imports this module at startup; `jiceng.lib.jobs` imports it only when a job is
sent to Redis, so the embedded demo never loads Celery. `celery -A jiceng` finds it here.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")

app = Celery("jiceng")
# Every CELERY_* name in settings.py, e.g. CELERY_BROKER_URL -> broker_url.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # <app>/tasks.py of each installed app
app.autodiscover_tasks(["jiceng"])  # jiceng/tasks.py: the generic runner and the sweep
