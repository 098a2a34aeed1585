"""`jiceng seed-demo-cases`: a recent month of demo cases through the real actions."""

from django.core.management.base import BaseCommand

from jiceng.cases.demo import seed_cases


class Command(BaseCommand):
    help = (
        "为演示城市生成最近一个月的事件，再为演示账号生成今天的工作"
        "（经由真实的办理动作；可中断后续跑）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--total", type=int, default=20000)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **opts):
        def progress(done: int, total: int) -> None:
            if done % 1000 == 0 or done == total:
                self.stdout.write(f"  演示事件 {done}/{total}")
                self.stdout.flush()

        result = seed_cases(opts["total"], opts["days"], opts["seed"], progress=progress)
        self.stdout.write(f"演示事件完成：{result}")
        # After the month, never before: the month resumes by counting cases. The demo
        # accounts' own day is the web app's (it knows them); imported here, not at the top,
        # so the cases app does not import the web app when Django starts.
        from jiceng.web.showcase import seed_showcase

        self.stdout.write(f"演示账号的一天：{seed_showcase()}")
