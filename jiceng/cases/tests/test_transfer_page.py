"""The 导入导出 page: who sees which form, a good upload writes, a bad one shows the table
and the annotated workbook, and the neighbour cannot import into our area."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiceng.cases.models import Case
from jiceng.cases.tests.test_import_cases import _book, _row


def _upload(client, kind: str, data: bytes):
    upload = SimpleUploadedFile("f.xlsx", data)
    return client.post(reverse("transfer"), {"kind": kind, "file": upload})


def test_the_dispatcher_imports_cases_from_the_page(cast, catalogue, rules, login):
    response = _upload(login(cast.dispatcher), "cases", _book([_row(1)]))
    assert response.status_code == 200 and "新建 1" in response.content.decode()
    assert Case.objects.get().hotline_order_no == "GD2026000001"


def test_a_bad_file_shows_each_problem_and_offers_the_annotated_copy(cast, catalogue, login):
    response = _upload(login(cast.dispatcher), "cases", _book([_row(1, 事项编码="77")]))
    body = response.content.decode()
    assert "事项编码 77 不存在" in body and 'download="errors.xlsx"' in body
    assert not Case.objects.exists()


def test_the_neighbour_cannot_import_into_our_area(cast, catalogue, rules, login):
    response = _upload(login(cast.neighbour), "cases", _book([_row(1)]))
    assert "不在您的辖区内" in response.content.decode()
    assert not Case.objects.exists()


def test_a_dispatcher_may_not_import_the_catalogue(cast, catalogue, login):
    client = login(cast.dispatcher)
    assert _upload(client, "categories", b"x").status_code == 403
    assert client.get(reverse("transfer-categories")).status_code == 302


def test_a_grid_worker_sees_no_upload_form(cast, login):
    body = login(cast.grid_worker).get(reverse("transfer")).content.decode()
    assert "没有导入权限" in body and 'type="file"' not in body
