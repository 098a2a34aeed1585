"""`jiceng api-token create USERNAME --name N` prints a new token once;
`jiceng api-token revoke PREFIX` revokes it; `jiceng api-token list USERNAME`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.models import User
from jiceng.api import actions
from jiceng.api.models import ApiToken


class Command(BaseCommand):
    help = "创建、列出或撤销个人接口令牌"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="命令行创建")
        listing = sub.add_parser("list")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args, verb: str, **options):
        getattr(self, f"_{verb}")(**options)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}")
        return user

    def _create(self, username: str, name: str, **_options) -> None:
        _token, raw = actions.create_token(self._user(username), name=name)
        self.stdout.write(raw)
        self.stderr.write("令牌只显示这一次，请立即妥善保存。")

    def _list(self, username: str, **_options) -> None:
        for token in ApiToken.objects.filter(user=self._user(username)):
            state = "已撤销" if token.revoked_at else "有效"
            self.stdout.write(f"{token.prefix}…\t{token.name}\t{state}")

    def _revoke(self, prefix: str, **_options) -> None:
        tokens = list(ApiToken.objects.filter(prefix=prefix.rstrip("…"), revoked_at=None))
        if len(tokens) != 1:
            raise CommandError(f"前缀 {prefix} 对应 {len(tokens)} 个有效令牌，须恰好一个")
        actions.revoke_token(tokens[0])
        self.stdout.write(f"已撤销 {tokens[0].prefix}…")
