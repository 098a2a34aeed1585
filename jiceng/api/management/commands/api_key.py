"""`jiceng api-key list` lists the external systems; `jiceng api-key rotate NAME` gives
one a new key, printed once on stdout (the old key stops at once: keys are stored only
as digests, so a lost one is replaced, never shown again); `jiceng api-key revoke NAME`
stops the system for good."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiceng.api import actions
from jiceng.api.models import ExternalSystem


class Command(BaseCommand):
    help = "列出外部系统，轮换（重新生成）或撤销其 API 密钥"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("list")
        rotate = sub.add_parser("rotate")
        rotate.add_argument("name")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("name")

    def handle(self, *args, verb: str, **options):
        getattr(self, f"_{verb}")(**options)

    def _system(self, name: str) -> ExternalSystem:
        system = ExternalSystem.objects.select_related("user").filter(name=name).first()
        if system is None:
            raise CommandError(f"没有名为“{name}”的外部系统（jiceng api-key list 列出全部）")
        return system

    def _list(self, **_options) -> None:
        for system in ExternalSystem.objects.select_related("area"):
            state = "有效" if system.active and system.revoked_at is None else "已撤销"
            self.stdout.write(
                f"{system.name}\t{system.area.name}\t{system.prefix}…\t{system.uses}\t{state}"
            )

    def _rotate(self, name: str, **_options) -> None:
        system = self._system(name)
        if not system.active or system.revoked_at is not None:
            raise CommandError(f"外部系统“{name}”已撤销，不能再发密钥")
        # Only the key on stdout, so that `KEY=$(jiceng api-key rotate NAME)` works.
        self.stdout.write(actions.rotate_key(system))
        self.stderr.write("新密钥只显示这一次，请立即妥善保存；旧密钥已失效。")

    def _revoke(self, name: str, **_options) -> None:
        actions.revoke_external_system(self._system(name))
        self.stdout.write(f"已撤销外部系统“{name}”")
