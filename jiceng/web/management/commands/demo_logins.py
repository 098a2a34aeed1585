"""`jiceng demo-logins`: print the demo accounts and their password, and how to get a key
for the demo external system (its 12345 centre)."""

from django.core.management.base import BaseCommand

from jiceng.accounts.models import User
from jiceng.api.models import ExternalSystem
from jiceng.web.demo import DEMO_PASSWORD, DEMO_SYSTEM, DEMO_USERS

ROTATE = ".venv/bin/jiceng api-key rotate"  # jiceng/api/management/commands/api_key.py
CASES_URL = "http://127.0.0.1:8000/api/v1/cases/"


class Command(BaseCommand):
    help = "列出演示账号和密码，以及为演示外部系统取 API 密钥的命令。"

    def handle(self, *args, **opts):
        users = {u.username: u for u in User.objects.select_related("jurisdiction", "department")}
        self.stdout.write("")
        self.stdout.write(f"jiceng 演示账号（密码均为 {DEMO_PASSWORD}）：")
        for spec in DEMO_USERS:
            user = users.get(spec.username)
            if user is None:
                continue
            where = user.department or user.jurisdiction or "全市"
            role = user.get_role_display()
            self.stdout.write(f"  {spec.username:<18} {role:<12} {user.full_name} · {where}")
        self.stdout.write("打开 http://127.0.0.1:8000/ 登录；管理后台在 /admin/。")
        self._external_system()
        self.stdout.write("")

    def _external_system(self) -> None:
        """Keys are stored hashed, so the demo system's is not printable: say how to
        rotate in a fresh one and use it."""
        system = ExternalSystem.objects.select_related("area").filter(name=DEMO_SYSTEM).first()
        if system is None:
            return
        self.stdout.write(f"外部系统（开放接口 X-Api-Key）：{system.name} · {system.area.name}")
        self.stdout.write("  取一把新密钥（旧的随即失效）并调用接口：")
        self.stdout.write(f"  KEY=$({ROTATE} {system.name})")
        self.stdout.write(f'  curl -H "X-Api-Key: $KEY" {CASES_URL}')
