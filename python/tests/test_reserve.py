"""A Python scheduler's RESERVE (`Decision(reserve=Resources(...))`): the same offer operation
as a Rust scheduler's `Decision::reserve`, checked for type and value when the Decision is made
and against the offer (what it holds, its role) by the master, as a built-in policy's."""

import pytest

import offersim

# f1 (role1) is offered all of a1 (4 cpus, 1024 MB) at 0 and reserves part of it; f2 (role2,
# the built-in `hold`) subscribes at 0.5 and its run considers role2 first (both shares are 0;
# role1 was allocated once, the sorter's tie-break). The scenario of the Rust test
# tests/integration/reserve_decision.rs.
def _scenario(f1_roles=("role1",)):
    f1 = {"at_s": 0, "action": "add_framework", "name": "f1", "scheduler": "hold"}
    if f1_roles is not None:
        f1["roles"] = list(f1_roles)
    return {
        "name": "reserve-decision", "seed": 1, "replications": 1, "end_s": 1.5,
        "master": {"allocation_interval_s": 1.0, "refuse_s": 5.0},
        "events": [
            {"at_s": 0, "action": "add_agent", "name": "a1", "cpus": 4, "mem_mb": 1024},
            f1,
            {"at_s": 0.5, "action": "add_framework", "name": "f2", "roles": ["role2"],
             "scheduler": "hold"},
        ],
    }


class ReserveOnce(offersim.Scheduler):
    """Reserves `amount` of its first offer for the offer's role; declines everything with no
    filter."""

    name = "reserve-once"

    def __init__(self, amount):
        self.amount = amount
        self.done = False

    def on_offer(self, offer, work):
        if self.done:
            return offersim.Decision(refuse_s=0.0)
        self.done = True
        return offersim.Decision(refuse_s=0.0, reserve=self.amount)


def _run(amount, scenario=None, **kw):
    def factory(fw):
        return ReserveOnce(amount) if fw.name == "f1" else None

    return offersim.run(scenario or _scenario(), outputs="all",
                        policies=[offersim.Policy("reserve", scheduler=factory)], **kw)


def test_a_reserve_decision_keeps_the_reservation_for_the_offers_role():
    r = _run(offersim.Resources(cpus=2, mem_mb=512))
    got = [tuple(x) for x in r.offers[["time_s", "framework", "cpus", "mem_mb"]].itertuples(index=False)]
    # f2 is offered only what stayed unreserved, f1 its role's reservation (declined with no
    # filter, so offered again at the tick at 1).
    assert got == [(0.0, "f1", 4.0, 1024.0), (0.5, "f2", 2.0, 512.0),
                   (0.5, "f1", 2.0, 512.0), (1.0, "f1", 2.0, 512.0)]


def test_without_the_reservation_f2_is_offered_the_whole_agent():
    # The same run with a scheduler that reserves nothing: the reservation above is what
    # split a1 (f2's offer at 0.5 is all of a1).
    class Decline(offersim.Scheduler):
        def on_offer(self, offer, work):
            return offersim.Decision(refuse_s=0.0)

    r = offersim.run(_scenario(), outputs="all",
                     policies=[offersim.Policy("plain", scheduler=lambda fw: Decline() if fw.name == "f1" else None)])
    first_f2 = r.offers[r.offers.framework == "f2"].iloc[0]
    assert (first_f2.cpus, first_f2.mem_mb) == (4.0, 1024.0)


def test_reserving_more_than_the_offer_holds_is_a_decision_error():
    with pytest.raises(offersim.DecisionError) as e:
        _run(offersim.Resources(cpus=5, mem_mb=512))
    assert e.value.policy == "reserve-once"
    assert e.value.reason.startswith("reserves ") and "unreserved" in e.value.reason


def test_reserving_for_the_default_role_is_a_decision_error():
    # f1 with no roles is in `*`; the amount is one its offer holds (as above).
    with pytest.raises(offersim.DecisionError) as e:
        _run(offersim.Resources(cpus=2, mem_mb=512), _scenario(f1_roles=None))
    assert e.value.policy == "reserve-once"
    assert "role `*`" in e.value.reason


def test_a_decisions_reserve_is_its_resources():
    amount = offersim.Resources(cpus=1.5, mem_mb=256)
    d = offersim.Decision([(7, 0)], reserve=amount)
    assert d.reserve == amount and d.launch == [(7, 0)] and d.hold is False
    assert repr(d) == "Decision(launch=[(7, 0)], refuse_s=None, hold=False, reserve=Resources(cpus=1.5, mem_mb=256))"
    # The repr is a call that makes the same Decision.
    again = eval(repr(d), {"Decision": offersim.Decision, "Resources": offersim.Resources})
    assert (again.launch, again.refuse_s, again.hold, again.reserve) == (d.launch, d.refuse_s, d.hold, d.reserve)
    assert repr(offersim.Decision(refuse_s=2.5, hold=True)) == (
        "Decision(launch=[], refuse_s=2.5, hold=True, reserve=None)"
    )
    assert offersim.Decision().reserve is None
    assert offersim.Decision(reserve=None).reserve is None


@pytest.mark.parametrize("bad", [2, 2.0, "cpus=2", {"cpus": 2}, (2, 512),
                                 offersim.Pools(offersim.Resources(cpus=2))])
def test_a_reserve_that_is_not_resources_is_a_type_error(bad):
    with pytest.raises(TypeError, match="reserve: expected offersim.Resources"):
        offersim.Decision(reserve=bad)


def test_a_negative_or_empty_reserve_is_a_value_error():
    negative = offersim.Resources(cpus=1) - offersim.Resources(cpus=2)
    with pytest.raises(ValueError, match="reserve: amounts must not be negative"):
        offersim.Decision(reserve=negative)
    # Negative in one resource is negative, even with another positive.
    mixed = offersim.Resources(cpus=2) - offersim.Resources(mem_mb=1)
    with pytest.raises(ValueError, match="must not be negative"):
        offersim.Decision(reserve=mixed)
    with pytest.raises(ValueError, match="positive amount"):
        offersim.Decision(reserve=offersim.Resources())


def test_a_held_offer_cannot_also_reserve():
    with pytest.raises(ValueError, match="cannot also reserve"):
        offersim.Decision(hold=True, reserve=offersim.Resources(cpus=1))
