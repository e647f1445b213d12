"""The programme's rules at their boundaries (DOMAIN.md, "Eligibility")."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from engine.rules import (
    ELIGIBLE_SERVICES,
    SERVICES,
    check_age,
    check_certificate,
    check_claim,
    check_eligibility,
    check_length_of_service,
    check_no_duplicates,
    check_service,
    check_timeliness,
)
from engine.statuses import FINAL_STATUSES, LIVE_STATUSES

A_RUN_IN_2027 = date(2027, 3, 1)


def officer(**changes: Any) -> dict[str, Any]:
    """An officer who passes every rule for `course_run()`, changed as the test needs."""
    return {
        "service": "IAS",
        "date_of_joining": "2015-08-24",
        "date_of_birth": "1985-04-10",
    } | changes


def course_run(**changes: Any) -> dict[str, Any]:
    return {
        "course": "CGP",
        "starts_on": "2027-03-01",
        "registration_closes_on": "2027-02-20",
    } | changes


def application(**changes: Any) -> dict[str, Any]:
    return {
        "id": 7,
        "course": "CGP",
        "status": "enrolled",
        "certified": False,
    } | changes


# Service


@pytest.mark.parametrize("code", ["IAS", "IPS", "IFoS", "CCS_A", "CSS_A", "CSSS_A", "SCS"])
def test_service_of_the_memorandum_is_eligible(code: str) -> None:
    assert check_service(code).passed


def test_other_service_is_not_eligible() -> None:
    assert not check_service("OTHER").passed


def test_unknown_service_code_is_not_eligible() -> None:
    assert not check_service("IRS").passed


def test_service_codes_are_case_sensitive() -> None:
    assert not check_service("ias").passed


def test_passing_service_reason_names_the_service() -> None:
    assert check_service("IFoS").reason == "Indian Forest Service is an eligible service"


def test_failing_service_reason_lists_the_eligible_services() -> None:
    assert check_service("OTHER").reason == (
        "Other service is not an eligible service; the programme is open to: Indian Administrative Service; "
        "Indian Police Service; Indian Forest Service; Group 'A' Central Civil Service; "
        "Central Secretariat Service (Group 'A'); Central Secretariat Stenographers Service (Group 'A'); "
        "State Administrative/Civil Service"
    )


def test_every_service_code_has_a_readable_name() -> None:
    assert set(SERVICES) == set(ELIGIBLE_SERVICES) | {"OTHER"}


# Length of service


def test_officer_joined_31_dec_2016_is_not_eligible_for_run_starting_30_dec_2018() -> None:
    assert not check_length_of_service(date(2016, 12, 31), date(2018, 12, 30)).passed


def test_officer_joined_31_dec_2016_is_eligible_for_run_starting_31_dec_2018() -> None:
    assert check_length_of_service(date(2016, 12, 31), date(2018, 12, 31)).passed


def test_officer_joined_1_jan_2016_is_eligible_for_run_starting_31_dec_2018() -> None:
    assert check_length_of_service(date(2016, 1, 1), date(2018, 12, 31)).passed


def test_officer_joined_1_jan_2017_is_not_eligible_for_run_starting_31_dec_2018() -> None:
    assert not check_length_of_service(date(2017, 1, 1), date(2018, 12, 31)).passed


def test_officer_joined_1_jan_2017_is_eligible_for_run_starting_31_dec_2019() -> None:
    assert check_length_of_service(date(2017, 1, 1), date(2019, 12, 31)).passed


def test_length_of_service_reason_says_from_when_the_officer_is_eligible() -> None:
    result = check_length_of_service(date(2017, 6, 5), date(2020, 3, 1))
    assert result.reason == "joined 2017: eligible for runs starting 31-12-2019 or later"


def test_length_of_service_refusal_names_the_run_start() -> None:
    result = check_length_of_service(date(2017, 6, 5), date(2019, 6, 1))
    assert result.reason == ("joined 2017: eligible for runs starting 31-12-2019 or later; this run starts 01-06-2019")


# Age


def test_officer_turning_56_on_1_july_is_eligible() -> None:
    assert check_age(date(1971, 7, 1), A_RUN_IN_2027).passed


def test_officer_aged_57_on_1_july_is_not_eligible() -> None:
    assert not check_age(date(1970, 3, 15), A_RUN_IN_2027).passed


def test_officer_turning_57_on_1_july_is_not_eligible() -> None:
    assert not check_age(date(1970, 7, 1), A_RUN_IN_2027).passed


def test_officer_turning_57_on_2_july_is_eligible() -> None:
    assert check_age(date(1970, 7, 2), A_RUN_IN_2027).passed


def test_age_on_1_july_counts_even_when_the_run_starts_before_it() -> None:
    # 56 when the March run starts, 57 by 1 July.
    assert not check_age(date(1970, 5, 1), date(2027, 3, 1)).passed


def test_age_on_1_july_counts_even_when_the_run_starts_after_it() -> None:
    # 57 when the September run starts, still 56 on 1 July.
    assert check_age(date(1970, 8, 1), date(2027, 9, 1)).passed


def test_officer_born_29_feb_1968_is_eligible_for_runs_of_leap_year_2024() -> None:
    assert check_age(date(1968, 2, 29), date(2024, 6, 1)).passed


def test_officer_born_29_feb_1968_is_57_on_1_july_of_non_leap_year_2025() -> None:
    assert check_age(date(1968, 2, 29), date(2025, 6, 1)).reason.startswith("aged 57 ")


def test_age_reason_gives_the_age_and_the_day_it_is_taken() -> None:
    assert check_age(date(1971, 7, 1), A_RUN_IN_2027).reason == (
        "aged 56 on 01-07-2027: within the upper age limit of 56"
    )


def test_upper_age_limit_can_be_changed() -> None:
    assert check_age(date(1970, 3, 15), A_RUN_IN_2027, upper_age_limit=57).passed


# Timeliness


def test_application_on_the_registration_last_date_is_in_time() -> None:
    assert check_timeliness(date(2019, 5, 21), date(2019, 5, 21)).passed


def test_application_the_day_after_the_registration_last_date_is_late() -> None:
    result = check_timeliness(date(2019, 5, 22), date(2019, 5, 21))
    assert result.reason == "applied 22-05-2019, after the registration last date 21-05-2019"
    assert not result.passed


# No duplicates


@pytest.mark.parametrize("status", LIVE_STATUSES)
def test_live_application_for_the_same_course_is_a_duplicate(status: str) -> None:
    assert not check_no_duplicates("CGP", [application(status=status)]).passed


@pytest.mark.parametrize("status", FINAL_STATUSES)
def test_uncertified_final_application_for_the_same_course_is_no_duplicate(
    status: str,
) -> None:
    assert check_no_duplicates("CGP", [application(status=status)]).passed


def test_earned_certificate_for_the_same_course_is_a_duplicate() -> None:
    other = application(status="reimbursed", certified=True)
    assert not check_no_duplicates("CGP", [other]).passed


def test_earned_certificate_counts_even_when_the_claim_is_not_yet_made() -> None:
    other = application(status="not_certified", certified=True)
    assert not check_no_duplicates("CGP", [other]).passed


def test_live_application_for_another_course_is_no_duplicate() -> None:
    assert check_no_duplicates("CGP", [application(course="DASS")]).passed


def test_duplicate_reason_names_the_course_and_the_status_in_words() -> None:
    result = check_no_duplicates("CGP", [application(id=12, status="awaiting_coupon")], "Global Poverty")
    assert result.reason == "your application for Global Poverty is still under way (Waiting for the coupon code)"


def test_certificate_reason_names_the_course_by_its_title() -> None:
    result = check_no_duplicates("CGP", [application(id=3, certified=True)], "Global Poverty")
    assert result.reason == "you have already earned the certificate for Global Poverty"


def test_duplicate_reason_without_a_title_names_the_code() -> None:
    result = check_no_duplicates("CGP", [application(id=3, certified=True)])
    assert result.reason == "you have already earned the certificate for CGP"


# Eligibility as a whole


def test_officer_meeting_every_rule_is_eligible() -> None:
    result = check_eligibility(officer(), course_run(), "2027-02-01", [])
    assert (result["eligible"], result["reasons"]) == (True, [])


def test_eligibility_reports_each_rule_in_order() -> None:
    result = check_eligibility(officer(), course_run(), "2027-02-01", [])
    assert [check["rule"] for check in result["checks"]] == [
        "service",
        "length_of_service",
        "age",
        "timeliness",
        "no_duplicates",
    ]


def test_every_failing_reason_is_reported() -> None:
    result = check_eligibility(
        officer(service="OTHER", date_of_joining="2026-01-05", date_of_birth="1960-01-01"),
        course_run(),
        "2027-02-21",
        [application()],
    )
    assert result["reasons"] == [check["reason"] for check in result["checks"]]


def test_one_failing_rule_makes_the_officer_ineligible() -> None:
    result = check_eligibility(officer(), course_run(), "2027-02-21", [])
    assert result["reasons"] == ["applied 21-02-2027, after the registration last date 20-02-2027"]
    assert not result["eligible"]


def test_live_application_for_another_course_warns_one_course_at_a_time() -> None:
    other = application(course="DASS", course_title="Data Analysis for Social Scientists")
    result = check_eligibility(officer(), course_run(), "2027-02-01", [other])
    warning = (
        "another application of yours is under way (Data Analysis for Social Scientists); "
        "officers are encouraged to take one course at a time"
    )
    assert result["warnings"] == [warning]


def test_live_application_for_another_course_does_not_refuse() -> None:
    result = check_eligibility(officer(), course_run(), "2027-02-01", [application(course="DASS")])
    assert result["eligible"]


def test_finished_application_for_another_course_gives_no_warning() -> None:
    other = application(course="DASS", status="reimbursed", certified=True)
    result = check_eligibility(officer(), course_run(), "2027-02-01", [other])
    assert result["warnings"] == []


def test_duplicate_for_the_same_course_is_refused_not_warned() -> None:
    result = check_eligibility(officer(), course_run(), "2027-02-01", [application()])
    assert result["warnings"] == []


def test_eligibility_accepts_dates_as_well_as_iso_strings() -> None:
    with_dates = check_eligibility(
        officer(date_of_joining=date(2015, 8, 24), date_of_birth=date(1985, 4, 10)),
        course_run(starts_on=date(2027, 3, 1), registration_closes_on=date(2027, 2, 20)),
        date(2027, 2, 1),
        [],
    )
    assert with_dates == check_eligibility(officer(), course_run(), "2027-02-01", [])


def test_eligibility_result_is_json_friendly() -> None:
    result = check_eligibility(officer(), course_run(), "2027-02-01", [application()])
    assert json.loads(json.dumps(result)) == result


# Certificate


def test_grade_50_with_exam_passed_earns_the_certificate() -> None:
    assert check_certificate(50, "passed")["passed"]


def test_grade_49_99_with_exam_passed_earns_no_certificate() -> None:
    assert check_certificate(49.99, "passed") == {
        "passed": False,
        "reason": "final grade 49.99% is below 50%: no certificate",
    }


def test_failed_exam_earns_no_certificate_whatever_the_grade() -> None:
    assert check_certificate(100, "failed") == {
        "passed": False,
        "reason": "the proctored exam was not passed (failed): no certificate",
    }


def test_absence_from_the_exam_earns_no_certificate() -> None:
    assert check_certificate(80, "absent") == {
        "passed": False,
        "reason": "the proctored exam was not taken (absent): no certificate",
    }


def test_low_grade_and_failed_exam_give_both_reasons() -> None:
    assert check_certificate(30, "failed")["reason"] == (
        "final grade 30% is below 50% and the proctored exam was not passed (failed): no certificate"
    )


# Claim


def test_claim_of_zero_dollars_is_refused() -> None:
    assert not check_claim(0, 100, already_reimbursed_for_course=False).passed


def test_claim_of_one_cent_is_accepted() -> None:
    assert check_claim(0.01, 100, already_reimbursed_for_course=False).passed


def test_claim_equal_to_the_default_cap_is_accepted() -> None:
    assert check_claim(100, 100, already_reimbursed_for_course=False).passed


def test_claim_one_cent_over_the_default_cap_is_refused() -> None:
    result = check_claim(100.01, 100, already_reimbursed_for_course=False)
    assert result.reason == ("USD 100.01 is more than the reimbursement limit of USD 100.00 for this course run")
    assert not result.passed


def test_claim_of_175_is_accepted_when_the_run_cap_is_175() -> None:
    assert check_claim(175, 175, already_reimbursed_for_course=False).passed


def test_claim_over_a_custom_cap_of_175_is_refused() -> None:
    assert not check_claim(175.01, 175, already_reimbursed_for_course=False).passed


def test_second_reimbursement_for_the_same_course_is_refused() -> None:
    result = check_claim(100, 100, already_reimbursed_for_course=True)
    assert result.reason == "the fee for this course has already been reimbursed to you"


def test_claim_that_is_not_a_number_is_refused() -> None:
    assert not check_claim(float("nan"), 100, already_reimbursed_for_course=False).passed
