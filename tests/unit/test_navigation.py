"""Who may open which page (shared/web/navigation.py): the menu of each role and the links templates
show for some roles only."""

from __future__ import annotations

from shared.auth import ANONYMOUS, Principal, Role
from shared.web.navigation import may_open, work_links


def person(*roles: Role) -> Principal:
    return Principal("p", frozenset(roles), ("440781",))


def test_pages_by_prefix_and_by_object() -> None:
    staff, deputy, resident = person(Role.CONGRESS_STAFF), person(Role.DEPUTY), person(Role.RESIDENT)
    assert may_open(staff, "/intake/queue?county=440781") and not may_open(resident, "/intake/queue")
    assert may_open(staff, "/decision/sessions/abc/console") and not may_open(deputy, "/decision/sessions/abc/console")
    assert may_open(deputy, "/decision/sessions/abc/ballot") and not may_open(staff, "/decision/sessions/abc/ballot")
    assert not may_open(resident, "/supervision/api/projects/abc/poster.pdf")
    assert not may_open(None, "/decision/api/sessions/abc/result-sheet.pdf") and may_open(
        deputy, "/decision/api/sessions/a/result-sheet.pdf"
    )
    assert may_open(None, "/decision/results") and may_open(ANONYMOUS, "/supervision/projects/abc")  # public
    assert may_open(person(Role.ADMIN), "/intake/inbox")


def test_each_role_has_its_own_menu() -> None:
    def menu(*roles: Role) -> set[str]:
        return {link.href for link in work_links(person(*roles))}

    assert menu(Role.RESIDENT) == set() and work_links(None) == [] and work_links(ANONYMOUS) == []
    assert {"/intake/inbox", "/supervision/inspect", "/evaluation/rate"} <= menu(Role.DEPUTY)
    assert "/intake/queue" not in menu(Role.DEPUTY) and "/supervision/unit" in menu(Role.GOV_UNIT)
    assert menu(Role.PROVINCE_VIEWER) == {"/province"} and "/audit" in menu(Role.AUDITOR)
    for roles in ((Role.CONGRESS_STAFF,), (Role.GOV_UNIT,), (Role.DEPUTY,), (Role.AUDITOR,), (Role.PROVINCE_VIEWER,)):
        assert all(may_open(person(*roles), href) for href in menu(*roles)), roles
