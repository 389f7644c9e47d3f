"""The response-rate policy state machine, walked with an explicit clock."""
from __future__ import annotations

import pytest

from models.policy import (DAY, NORMAL, ONE_TO_ONE, WARNED, PolicyConfig, Send, Status, assess,
                           earliest_send_needed, initial_status, next_transition, transitions, with_overrides)

CONFIG = PolicyConfig(epoch=0.0)
PERIOD = 14 * DAY


def daily(start: float, days: int, per_day: int, responses_per_day: int, delay_days: float = 2) -> list[Send]:
    """`per_day` sends each day from `start`, each day's responses arriving `delay_days` later."""
    return [Send(start + d * DAY, per_day, responses_per_day, start + (d + delay_days) * DAY) for d in range(days)]


def test_rate_counts_responses_known_in_time_and_within_the_window() -> None:
    sends = [Send(0, 50, 10, 5 * DAY), Send(DAY, 50, 10, 40 * DAY), Send(2 * DAY, 10, 0, None), Send(PERIOD, 99, 99, DAY)]
    early = assess(sends, 0, PERIOD, 4 * DAY, CONFIG)
    assert (early.sent, early.responses, early.judged) == (110, 0, True)
    later = assess(sends, 0, PERIOD, 60 * DAY, CONFIG)
    assert later.responses == 10  # the second batch answered after 39 days: outside the 30-day window
    assert later.rate == pytest.approx(10 / 110)
    assert assess([], 0, PERIOD, PERIOD, CONFIG).rate is None


def test_low_volume_is_never_judged() -> None:
    sends = daily(0, 14, 7, 0)  # 98 sends, no response
    assert next_transition(initial_status(CONFIG), sends, 100 * DAY, CONFIG) is None


def test_normal_only_judges_completed_periods() -> None:
    sends = daily(0, 14, 10, 0)
    assert next_transition(initial_status(CONFIG), sends, PERIOD - 1, CONFIG) is None
    step = next_transition(initial_status(CONFIG), sends, PERIOD, CONFIG)
    assert step is not None and step.status == Status(WARNED, PERIOD, 2 * PERIOD)
    assert (step.assessment.sent, step.assessment.responses) == (140, 0)


def test_at_the_threshold_is_fine() -> None:
    sends = [Send(DAY, 100, 13, 2 * DAY)]
    assert next_transition(initial_status(CONFIG), sends, PERIOD, CONFIG) is None
    assert next_transition(initial_status(CONFIG), [Send(DAY, 100, 12, 2 * DAY)], PERIOD, CONFIG) is not None


def test_full_cycle_warned_grace_one_to_one_then_recovery() -> None:
    sends = daily(0, 35, 10, 0) + daily(35 * DAY, 14, 10, 3)  # five weeks unanswered, then 30% while restricted
    current, steps = initial_status(CONFIG), []
    for day in range(90):  # the scheduler's daily evaluation
        for step in transitions(current, sends, day * DAY, CONFIG):
            steps.append(step)
            current = step.status
    assert [(s.status.state, s.status.since / DAY, (s.status.until or 0) / DAY) for s in steps] == [
        (WARNED, 14, 28), (ONE_TO_ONE, 35, 49), (NORMAL, 49, 0)]
    assert steps[1].assessment.start == 14 * DAY and steps[1].assessment.as_of == 35 * DAY
    assert steps[2].assessment.responses == 39  # the last day's replies arrive after the restriction ends


def test_replies_arriving_during_the_grace_avoid_the_restriction() -> None:
    sends = daily(0, 14, 10, 0) + daily(14 * DAY, 14, 10, 2, delay_days=6)  # answered late but within grace
    step = next_transition(Status(WARNED, 14 * DAY, 28 * DAY), sends, 35 * DAY, CONFIG)
    assert step is not None and step.status == Status(NORMAL, 35 * DAY)
    assert step.reason == "back at or above the threshold"


def test_still_low_after_restriction_gives_another_period() -> None:
    sends = daily(35 * DAY, 14, 10, 0)
    step = next_transition(Status(ONE_TO_ONE, 35 * DAY, 49 * DAY), sends, 49 * DAY, CONFIG)
    assert step is not None and step.status == Status(ONE_TO_ONE, 49 * DAY, 63 * DAY)
    assert next_transition(Status(ONE_TO_ONE, 35 * DAY, 49 * DAY), sends, 49 * DAY - 1, CONFIG) is None


def test_too_few_sends_while_warned_or_restricted_ends_it() -> None:
    few = daily(14 * DAY, 14, 1, 0)
    assert next_transition(Status(WARNED, 14 * DAY, 28 * DAY), few, 35 * DAY, CONFIG).status.state == NORMAL
    step = next_transition(Status(ONE_TO_ONE, 14 * DAY, 28 * DAY), few, 28 * DAY, CONFIG)
    assert step.status.state == NORMAL and "too few" in step.reason


def test_transition_times_do_not_depend_on_when_it_is_evaluated() -> None:
    sends = daily(0, 14, 10, 0)
    assert next_transition(initial_status(CONFIG), sends, PERIOD + 5, CONFIG) == \
        next_transition(initial_status(CONFIG), sends, PERIOD + 3 * DAY, CONFIG)


def test_after_downtime_only_the_latest_period_is_judged() -> None:
    sends = daily(0, 14, 10, 0)  # a bad first period, then silence
    assert next_transition(initial_status(CONFIG), sends, 3 * PERIOD, CONFIG) is None
    assert earliest_send_needed(initial_status(CONFIG), 3 * PERIOD, CONFIG) == 2 * PERIOD
    assert earliest_send_needed(Status(WARNED, 5.0, 6.0), 99 * DAY, CONFIG) == 5.0


def test_team_numbers_change_the_outcome() -> None:
    sends = [Send(DAY, 60, 6, 2 * DAY)]  # 10% of 60
    assert next_transition(initial_status(CONFIG), sends, PERIOD, CONFIG) is None
    strict = with_overrides(CONFIG, {"min_sent": 50, "threshold": 0.2, "unknown": 1})
    step = next_transition(initial_status(strict), sends, PERIOD, strict)
    assert step is not None and step.status.until == PERIOD + 14 * DAY
    short = with_overrides(strict, {"period_days": 7, "warn_days": 3})
    step = next_transition(initial_status(short), sends, 7 * DAY, short)
    assert step is not None and step.status == Status(WARNED, 7 * DAY, 10 * DAY)


@pytest.mark.parametrize("values", [{"threshold": 1.3}, {"min_sent": 0}, {"grace_days": -1}])
def test_bad_numbers_are_refused(values: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        with_overrides(CONFIG, values)


def test_unknown_state_is_refused() -> None:
    with pytest.raises(ValueError):
        Status("banned", 0.0)
