"""Tracking by number and the last four digits of the phone: the state and a public
timeline for a match, one message for every miss, and a limit on guessing."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from jiceng.cases import actions

from .conftest import CALLER, CALLER_PHONE, closed, hotline_for, resident_report

pytestmark = pytest.mark.django_db

NO_MATCH = "没有找到与编号和手机号后4位都相符的诉求"


def track(client, number: str, digits: str, **headers):
    return client.post(reverse("track"), {"number": number, "digits": digits}, **headers)


def test_the_track_page_needs_no_login(client, cast):
    response = client.get(reverse("track"))
    assert response.status_code == 200 and "诉求编号" in response.content.decode()


def test_the_right_number_and_digits_show_the_state_and_the_public_timeline(
    client, cast, catalogue, rules
):
    case = closed(hotline_for(catalogue), cast)
    response = track(client, case.number, CALLER_PHONE[-4:])
    assert response.status_code == 200
    result = response.context["result"]
    assert result.number == case.number and result.status == "已结案"
    assert [s.label for s in result.progress if s.current] == ["已办结"]
    labels = [s.label for s in result.steps]
    assert labels[:3] == ["诉求已受理", "已派单", "承办单位已签收"]
    assert labels[-1] == "已办结"
    assert {s.unit for s in result.steps if s.label == "承办单位已签收"} == {cast.community.name}


def test_the_track_page_shows_no_personal_data_nor_staff(client, cast, catalogue, rules):
    case = hotline_for(catalogue)
    actions.urge(case, acting_user=cast.district_leader, note="请张桂英尽快处理")
    case = closed(case, cast)
    body = track(client, case.number, CALLER_PHONE[-4:]).content.decode()
    assert case.number in body
    for secret in [
        CALLER,
        CALLER_PHONE,
        "139****5678",
        "楼下垃圾三天无人清运",  # the description
        "已清运",  # the handler's reply
        cast.secretary.full_name,
        cast.grid_worker.full_name,
        cast.dispatcher.full_name,
        cast.district_leader.full_name,
        "催办",
    ]:
        assert secret not in body, secret


def test_the_requesters_phone_also_matches(client, cast, catalogue, rules):
    case = resident_report(cast, catalogue)
    response = track(client, case.number, cast.resident.phone[-4:])
    assert response.context["result"].number == case.number


def test_wrong_digits_and_an_unknown_number_give_the_same_message(client, cast, catalogue, rules):
    case = hotline_for(catalogue)
    wrong_digits = track(client, case.number, "0000")
    other = case.number[:-1] + str((int(case.number[-1]) + 1) % 10)  # never the case's own
    unknown = track(client, other, CALLER_PHONE[-4:])
    not_a_case = track(client, "2026010199999999", CALLER_PHONE[-4:])
    for response in (wrong_digits, unknown, not_a_case):
        assert response.status_code == 200
        assert response.context["no_match"].startswith(NO_MATCH)
        assert "result" not in response.context
    assert 'value="0000"' not in wrong_digits.content.decode()  # digits are never echoed
    assert page_text(wrong_digits, case.number) == page_text(unknown, other)


def page_text(response, number: str) -> str:
    """The page without what differs by design: the typed number and the CSRF token."""
    body = response.content.decode().replace(number, "NUMBER")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def test_bad_input_names_what_is_wrong(client, cast):
    response = track(client, "abc", "12")
    assert response.status_code == 400
    body = response.content.decode()
    assert "诉求编号是16位数字" in body and "请填写登记手机号的最后4位数字" in body


def test_the_eleventh_attempt_from_one_client_is_refused_even_with_the_right_digits(
    client, cast, catalogue, rules
):
    case = hotline_for(catalogue)
    for n in range(10):
        assert track(client, case.number, f"{n:04d}").status_code == 200
    refused = track(client, case.number, CALLER_PHONE[-4:])
    assert refused.status_code == 429
    assert "查询次数过多" in refused.content.decode() and "result" not in refused.context


def test_misses_on_one_number_are_limited_whoever_makes_them(client, cast, catalogue, rules):
    """Guessing one case's digits from many addresses is limited too."""
    case = hotline_for(catalogue)
    for n in range(10):
        track(client, case.number, f"{n:04d}", REMOTE_ADDR=f"10.0.0.{n}")
    assert track(client, case.number, "1111", REMOTE_ADDR="10.0.1.1").status_code == 429


def test_the_limit_follows_the_address_the_trusted_proxy_saw(client, cast, settings):
    """Behind nginx every request comes from 127.0.0.1; a forged header entry on the left
    does not give a fresh allowance."""
    settings.JICENG_TRUSTED_PROXIES = 1
    for n in range(10):
        headers = {"HTTP_X_FORWARDED_FOR": f"1.2.3.{n}, 203.0.113.7"}
        track(client, f"20260101{n:08d}", "1234", **headers)
    refused = track(client, "2026010100000099", "1234", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert refused.status_code == 429
    other = track(Client(), "2026010100000099", "1234", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 200


def test_a_merged_case_tells_it_is_handled_with_another(client, cast, catalogue, rules):
    original = hotline_for(catalogue, order_no="12345-1")
    duplicate = hotline_for(catalogue, order_no="12345-2")
    actions.merge(duplicate, into=original, acting_user=cast.dispatcher)
    response = track(client, duplicate.number, CALLER_PHONE[-4:])
    result = response.context["result"]
    assert result.merged and [s.label for s in result.progress if s.current] == ["已派单"]
    assert original.number not in response.content.decode()
