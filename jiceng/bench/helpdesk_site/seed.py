"""What the benchmark's load needs in the peer's database, or how many tickets it holds.

Run by jiceng/bench/helpdesk.py with the peer venv's Python, this folder as the current
directory:

    python seed.py prepare <users>   # prints {"queue": <id>, "tokens": [<key>, …]}
    python seed.py count             # prints the number of tickets
"""

import json
import os
import sys

import django


def prepare(users: int) -> dict:
    """One queue and `users` staff members with an API token each: the API's ticket
    endpoints admit staff only (IsAdminUser), and staff may file in every queue."""
    from django.contrib.auth import get_user_model
    from helpdesk.models import Queue
    from rest_framework.authtoken.models import Token

    queue, _ = Queue.objects.get_or_create(slug="bench", defaults={"title": "压力测试"})
    tokens = []
    for number in range(users):
        user, _ = get_user_model().objects.get_or_create(
            username=f"bench-{number}", defaults={"is_staff": True}
        )
        tokens.append(Token.objects.get_or_create(user=user)[0].key)
    return {"queue": queue.pk, "tokens": tokens}


def count() -> int:
    from helpdesk.models import Ticket

    return Ticket.objects.count()


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    django.setup()
    if argv[:1] == ["prepare"] and len(argv) == 2:
        print(json.dumps(prepare(int(argv[1]))))
    elif argv == ["count"]:
        print(count())
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
