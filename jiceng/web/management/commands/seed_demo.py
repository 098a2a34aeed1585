"""`jiceng seed-demo`: build the demo city; every step skips what is already there."""

from django.core.management.base import BaseCommand

from jiceng.web.demo import seed_demo


class Command(BaseCommand):
    help = "生成演示城市：天津真实区划、演示网格、职能部门和各角色演示账号（可重复运行）。"

    def handle(self, *args, **opts):
        self.stdout.write("生成演示城市：")
        timings = seed_demo(stdout=self.stdout)
        self.stdout.write(f"完成，用时 {sum(timings.values()):.1f} 秒")
