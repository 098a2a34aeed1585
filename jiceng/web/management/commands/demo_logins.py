"""`jiceng demo-logins`: print the demo accounts and their password."""

from django.core.management.base import BaseCommand

from jiceng.accounts.models import User
from jiceng.web.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "列出演示账号和密码。"

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
        self.stdout.write("")
