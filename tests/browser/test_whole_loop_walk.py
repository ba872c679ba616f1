"""The yearly loop walked on a fresh county through pages only — no API call — by each person in
turn, on a 390 px phone (`shishi up`, Chromium); every page on the way must fit the screen.

Each step by the person who takes it, signing in on the dev login page:

1. demands (诉求): two residents raise a demand each on the phone form (county and town picked);
2. merge: congress staff land on their worklist, open the new demand from it, triage it, merge both
   demands into a project suggestion, and register three deputies in intake's registry; the
   resident, signed out, sees on the tracking page which suggestion their demand went into;
3. candidate and screening (候选项目, 初审): the government office drafts a candidate from the
   suggestion and screens it on the seven criteria, then drafts the list of candidates;
4. approval chain (审批链): staff open the list from their worklist and take it through its four
   steps, then schedule the session from it, the roll ticked from the registry;
5. session, vote and adoption (票决): staff open the console from their worklist, check the deputies
   in, hold a paper vote; a second teller confirms the box; the vote closes; the public results show
   the candidate adopted;
6. plan and progress (实施方案, 月度进度): the responsible unit finds the project on its worklist, files
   the 30-day plan, then the month's entry;
7. inspection (视察): staff form the supervision group (deputies picked by name from the registry), a
   group deputy records a finding on site, staff assign it, the unit answers, the deputy accepts;
8. completion and acceptance (完工, 验收): the unit reports completion, the group deputy checks it;
   the resident follows their demand to the project and rates it from the tracking page;
9. rating (满意度测评): staff open next year's session's round; the deputy checks in on their own
   phone, staff start the round, the deputy rates the project secretly (unsatisfied); staff close,
   confirm and distribute the results;
10. rectification (整改): the unit files its report on the board, the standing committee rates again
    (satisfied): the rectification passes;
11. look-back (回头看): staff set the county's rule to look back a month after completion (rules
    page) before the unit reports work finished 40 days earlier, so the look-back is due on the day
    of the walk; staff record it on the project's evaluation page."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from services.gateway.http.home_pages import dev_subject
from shared.kernel.china_time import china_today

pytestmark = pytest.mark.browser

COUNTY = "440785"  # 恩平市: no other test writes to it
TOWN = "恩城街道"
BODY = "恩平市水务局"  # the responsible unit, as it signs in
PHONE_WIDTH = 390
CRITERIA = ("necessity", "feasibility", "inclusiveness", "regional_balance", "urgency", "benefit", "conditions")


class Walk:
    """One phone on the running product; every page it lands on is checked for overflow, and any
    page opened from an API (``/api/``) is noted: the walk opens none (a page's own script may read
    one, as the group form reads intake's deputies registry to fill in an account)."""

    def __init__(self, page: Any, origin: str) -> None:
        self.page, self.origin = page, origin
        self.errors: list[str] = []
        self.too_wide: list[str] = []
        self.api_calls: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", lambda dialog: dialog.accept())  # "close the vote?" and the like
        page.on("request", lambda r: self.api_calls.append(r.url) if self.api_page(r) else None)

    @staticmethod
    def api_page(request: Any) -> bool:
        return "/api/" in request.url and request.is_navigation_request()

    def fits(self) -> None:
        self.page.wait_for_load_state("load")
        width = self.page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            self.too_wide.append(f"{self.page.url}: {width}px")

    def go(self, path: str) -> None:
        answer = self.page.goto(f"{self.origin}{path}")
        assert answer is not None and answer.ok, f"{path}: {answer.status if answer else 'no answer'}"
        self.fits()

    def go_until(self, path: str, selector: str, what: str, timeout: float = 60.0) -> None:
        """Open ``path`` until ``selector`` is on it: what one service did reaches another's page
        over the bus, a moment later."""
        deadline = time.monotonic() + timeout
        while True:
            self.go(path)
            if self.page.locator(selector).count() > 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{what}: {selector} never showed on {path}:\n{self.page.inner_text('main')[:1500]}"
                )
            time.sleep(1)

    def submit(self, form: str, url: str | re.Pattern[str] | Callable[[str], bool] = "**") -> None:
        """Press the form's submit button and wait for the page it leads to."""
        with self.page.expect_navigation(url=url):
            self.page.click(f"{form} button[type=submit]")
        self.fits()

    def press(self, button: str, url: str | re.Pattern[str] = "**") -> None:
        with self.page.expect_navigation(url=url):
            self.page.click(button)
        self.fits()

    def click(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)
        self.fits()

    def set(self, selector: str, value: str) -> None:
        """A field, whether a text box or a list to choose from."""
        if self.page.eval_on_selector(selector, "el => el.tagName") == "SELECT":
            self.page.select_option(selector, value)
        else:
            self.page.fill(selector, value)

    def sign_in(self, role: str, name: str) -> None:
        """The dev login page (local mode): role, county, name; lands on the role's home."""
        self.go("/login")
        self.page.select_option("#f-role", role)
        self.page.fill("#f-counties", COUNTY)
        self.page.fill("#f-name", name)
        self.submit("form[action='/login']", re.compile(r"/(province)?$"))

    def path(self) -> str:
        return re.sub(r"^https?://[^/]+", "", self.page.url)


def phone(chromium: Any) -> Any:
    """A new phone: its own cookies and storage (a deputy's ballot credential stays on their phone)."""
    context = chromium.browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": PHONE_WIDTH, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(20_000)
    return context


def resident_raises(walk: Walk, text: str) -> str:
    """A resident's demand through the phone form: its tracking code."""
    walk.go(f"/intake/submit?county={COUNTY}")
    walk.set("#town", TOWN)
    walk.page.select_option("#category", "water")
    walk.page.fill("#text", text)
    walk.submit("#demand-form", re.compile(r"/intake/track/[A-Z0-9]+\?new=1$"))
    return walk.page.inner_text("#tracking-code").strip()


def staff_triage_from_the_worklist(walk: Walk, tag: str) -> None:
    """From the worklist's 'new demands to triage' task, open the demand and triage it."""
    task = walk.page.locator("[data-task=untriaged]")
    assert task.count() == 1 and "新诉求待分类分流" in task.inner_text()
    walk.click(f"[data-task=untriaged] a:has-text('{tag}') >> nth=0")
    assert "/intake/demands/" in walk.page.url
    walk.page.select_option("#triage-form select[name=kind]", "common")
    walk.page.select_option("#triage-form select[name=scope]", "county")
    walk.page.fill("#triage-form input[name=estimate]", "900000")
    walk.submit("#triage-form", re.compile(r"/intake/demands/"))
    assert "票决实事项目" in walk.page.inner_text("#tier")


def staff_merge(walk: Walk, codes: list[str], title: str) -> None:
    walk.go(f"/intake/merge?county={COUNTY}&town={TOWN}")
    for code in codes:
        walk.page.check(f"input[data-code='{code}']")
    walk.page.fill("#merge-title", title)
    walk.submit("#merge-form", re.compile(r"/intake/merge"))
    walk.page.wait_for_selector(f".suggestion h3:has-text('{title}')")


def government_drafts_the_candidate(walk: Walk, suggestion: str, name: str, deadline: str) -> None:
    """The government office drafts a candidate from the merged suggestion and screens it."""
    walk.go_until(
        f"/decision/candidates/new?county={COUNTY}",
        f"#suggestions label.pick:has-text('{suggestion}')",
        "the suggestion in decision's picker",
    )
    walk.page.check(f"#suggestions label.pick:has-text('{suggestion}') input")
    walk.page.fill("#f-name", name)
    walk.page.fill("#f-content", "更换老化供水管网，新建二次加压泵站")
    walk.page.fill("#f-implementing_body", BODY)
    walk.page.fill("#f-investment", "900000")
    walk.page.fill("#f-deadline", deadline)
    walk.page.locator(f"#coverage label.pick:has-text('{TOWN}') input").check()
    walk.press("#draft-candidate", re.compile(r"/decision/candidates/[0-9a-f-]+"))
    assert "待初审" in walk.page.inner_text("#screening")
    for k, criterion in enumerate(CRITERIA):
        walk.page.check(f"input[name='score:{criterion}'][value='{5 - k % 2}']")
    walk.page.fill("#f-reason-necessity", "高层住户长期水压不足")
    walk.press("#screen-save")
    assert "政府办小陈" in walk.page.inner_text("#screening")


def government_drafts_the_list(walk: Walk, name: str, title: str) -> str:
    walk.go(f"/decision/candidates?county={COUNTY}")
    walk.page.locator(f"#draft-list label.pick:has-text('{name}') input").check()
    walk.page.fill("#draft-list #f-title", title)
    walk.press("#draft-list-submit")
    assert "主任会议 待审" in walk.page.inner_text("#chain")
    return walk.path()


def staff_register_deputies(walk: Walk, deputies: list[tuple[str, str]]) -> None:
    """Intake's deputies registry, where a session's roll is picked from; a deputy's account is the
    one they sign in with."""
    for deputy_id, name in deputies:
        walk.go(f"/intake/registry?county={COUNTY}")
        walk.page.fill("#f-deputy_id", deputy_id)
        walk.page.fill("#f-d-name", name)
        walk.set("#f-d-town", TOWN)
        walk.submit("#add-deputy")


def staff_take_the_chain_and_schedule(walk: Walk, list_path: str, deputies: list[tuple[str, str]], session: str) -> str:
    """The approval chain's four steps from the staff's worklist, then the session from the list:
    the console's path."""
    walk.go("/")
    task = walk.page.locator("[data-task=lists_to_decide]")
    assert task.count() == 1, "the list awaiting the chain is on the staff's worklist"
    walk.click(f"[data-task=lists_to_decide] a[href='{list_path}']")
    for step in ("主任会议", "党委审定", "常委会审议通过", "大会主席团"):
        assert f"{step} 待审" in walk.page.inner_text("#chain")
        walk.page.fill("#f-reason", "同意")
        walk.press("#approve")
    assert "已提交大会" in walk.page.inner_text("h1")
    walk.click("#schedule")
    for deputy_id, _ in deputies:
        walk.page.check(f"input[name=deputies][value='{deputy_id}']")
    walk.page.fill("#f-name", session)
    walk.press("#schedule-session", re.compile(r"/console$"))
    return walk.path()


def staff_hold_the_vote(walk: Walk, console: str, deputies: list[tuple[str, str]], name: str) -> None:
    """Check the deputies in and hold a paper vote (等额, one seat) counted by one teller."""
    walk.go("/")
    walk.click(f"[data-task=sessions_to_hold] a[href='{console}']")
    for deputy_id, _ in deputies:
        walk.press(f"li[data-deputy='{deputy_id}'] button")
    assert walk.page.inner_text("#present-count") == str(len(deputies))
    walk.page.fill("#f-seats", "1")
    walk.page.select_option("#f-kind", "equal")
    walk.page.select_option("#f-mode", "paper")
    walk.press("#open-vote")
    walk.page.fill("#f-box_no", "1")
    for field in ("#f-issued", "#f-returned"):
        walk.page.fill(field, str(len(deputies)))
    walk.page.fill("#f-invalid", "0")
    counts = walk.page.locator(f"fieldset.counts:has(legend:has-text('{name}'))")
    counts.locator("input[name$=':yes']").fill(str(len(deputies)))
    counts.locator("input[name$=':no']").fill("0")
    walk.press("#enter-box")


def unit_files_the_plan_and_progress(walk: Walk, card: str, due: str) -> None:
    """The responsible unit's worklist: the plan within 30 days, then this month's entry."""
    unit_list = f"/supervision/unit?county={COUNTY}"
    walk.go_until(unit_list, f"{card} a[href$='/plan']", "the adopted project on the unit's worklist")
    walk.click(f"{card} a[href$='/plan']")
    for field, value in {
        "#line_name_1": "工程费",
        "#line_amount_1": "900000",
        "#task_name_1": "管网改造",
        "#task_unit_1": BODY,
        "#task_person_1": "梁工",
        "#task_budget_1": "900000",
        "#task_due_1": due,
        "#ms_name_1": "通水",
        "#ms_target_1": "100",
        "#ms_due_1": due,
    }.items():
        walk.page.fill(field, value)
    walk.submit("#plan-form", re.compile(r"done=plan_filed"))
    walk.go_until(unit_list, f"{card} a[href$='/progress']", "the monthly entry")
    walk.click(f"{card} a[href$='/progress']")
    walk.page.fill("#task_pct_t1", "100")
    walk.page.fill("#spent_B1", "880000")
    walk.page.fill("#note", "管网铺设完毕，泵站试运行")
    walk.submit("#progress-form", re.compile(r"done=progress_reported"))


def staff_form_the_group(walk: Walk, name: str, group: list[tuple[str, str]]) -> None:
    card = f"#groups-missing .card:has(h3:has-text('{name}'))"
    walk.go_until(f"/supervision/staff?county={COUNTY}", card, "the project without a group")
    walk.click(f"{card} a[href$='/group']")
    # deputies picked by name from intake's registry: the page fills in each one's account
    walk.page.wait_for_function(f"document.querySelectorAll('#registry-deputies option').length >= {len(group)}")
    for n, (deputy_id, deputy) in enumerate(group, start=1):
        walk.page.fill(f"#dep_name_{n}", deputy)
        walk.page.press(f"#dep_name_{n}", "Tab")
        assert walk.page.input_value(f"#dep_id_{n}") == deputy_id
    walk.page.fill("#res_name_1", "居民梁阿姨")
    walk.submit("#group-form", re.compile(r"done=group_assigned"))


def staff_open_the_rating_round(walk: Walk, year: int) -> str:
    """Staff open next year's session's satisfaction rating of this year's projects (electronic ballots):
    the round's card on the board."""
    walk.go(f"/evaluation/board?county={COUNTY}")
    walk.page.click("details:has(#open-round) > summary")
    walk.page.fill("#f-session_year", str(year + 1))
    walk.page.fill("#f-rated_year", str(year))
    walk.page.fill("#f-session_closes_on", f"{year + 1}-01-20")
    walk.page.select_option("#open-round #f-mode", "electronic")
    walk.submit("#open-round", re.compile(r"/evaluation/board"))
    card = f"section[data-round]:has(h3:has-text('{year + 1}'))"
    assert walk.page.locator(card).count() == 1, walk.page.inner_text("main")[:1500]
    return card


def staff_step_the_round(walk: Walk, card: str, action: str) -> None:
    """A step of the round from its card on the board: start, close, confirm, distribute."""
    walk.go(f"/evaluation/board?county={COUNTY}")
    walk.press(f"{card} form[action$='/{action}?county={COUNTY}'] button", re.compile(r"/evaluation/board"))
    assert "error=" not in walk.page.url, walk.page.inner_text("main")[:1500]


def test_the_loop_through_pages_only(running_product: Any, chromium: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    today = china_today()
    deadline, due = (today + timedelta(days=120)).isoformat(), (today + timedelta(days=60)).isoformat()
    deputies = [(dev_subject("deputy", name), name) for name in (f"吴代表{tag}", f"郑代表{tag}", f"冯代表{tag}")]
    with chromium.turn():
        context, deputys_phone = phone(chromium), phone(chromium)
        try:
            walk = Walk(context.new_page(), running_product.origin)
            page = walk.page
            # 1. demands (诉求): two residents on their phones
            first = resident_raises(walk, f"自来水水压不足，高层住户经常停水 {tag}")
            second = resident_raises(walk, f"小区二次供水设备老化，水质发黄 {tag}")
            # 2. triage from the staff's worklist, then merge into a project suggestion
            walk.sign_in("congress_staff", f"周干事{tag}")
            assert "工作台" in page.inner_text("h1") and "恩平市" in page.inner_text("main")
            staff_triage_from_the_worklist(walk, tag)
            suggestion = f"{TOWN}供水设施改造{tag}"
            staff_merge(walk, [first, second], suggestion)
            staff_register_deputies(walk, deputies)
            # the resident, signed out, sees what became of their demand
            walk.go("/logout")
            walk.go(f"/intake/track/{first}")
            merged = page.inner_text("#fate li[data-fate=merged]")
            assert f"并入项目建议「{suggestion}」" in merged

            # 3. candidate (候选项目) and its screening (初审), then the list, by the government office
            walk.sign_in("gov_unit", "政府办小陈")
            name = f"城区供水管网改造{tag}"
            government_drafts_the_candidate(walk, suggestion, name, deadline)
            list_path = government_drafts_the_list(walk, name, f"{today.year}年民生实事候选项目{tag}")

            # 4. the approval chain (审批链), and the session (票决会议) with its roll
            walk.sign_in("congress_staff", f"周干事{tag}")
            console = staff_take_the_chain_and_schedule(walk, list_path, deputies, f"{today.year}年人代会{tag}")

            # 5. the vote (票决): one teller enters the box, another confirms it; the vote closes
            staff_hold_the_vote(walk, console, deputies, name)
            walk.sign_in("congress_staff", f"何干事{tag}")
            walk.go(console)
            walk.press("#confirm-1")
            tellers = page.inner_text("#vote")
            assert f"周干事{tag}" in tellers and f"何干事{tag}" in tellers
            walk.press("#close-vote")
            assert "已决定" in page.inner_text("h1")
            # adoption (通过): the public results
            walk.go("/logout")
            walk.go(f"/decision/results?county={COUNTY}")
            result = page.locator(".result", has_text=f"{today.year}年人代会{tag}").inner_text()
            assert name in result and "第 1 名" in result

            # 6. the 30-day plan (实施方案) and monthly progress (月度进度), by the responsible unit
            walk.sign_in("gov_unit", BODY)
            card = f"section.work:has(h2:has-text('{name}'))"
            unit_files_the_plan_and_progress(walk, card, due)

            # 7. inspection (视察监督): the group, a finding on site, assigned, answered, accepted
            walk.sign_in("congress_staff", f"周干事{tag}")
            staff_form_the_group(walk, name, deputies)
            walk.sign_in("deputy", deputies[0][1])
            section = f"section:has(h2:has-text('{name}'))"
            walk.go_until("/supervision/inspect", f"{section} .finding-form", "the group deputy's project")
            page.fill(f"{section} .finding-form input[name=location]", "泵站")
            page.fill(f"{section} .finding-form textarea[name=text]", "泵站周边未设安全警示标识")
            walk.submit(f"{section} .finding-form", re.compile(r"done=finding_recorded"))
            walk.sign_in("congress_staff", f"周干事{tag}")
            walk.go_until(f"/supervision/staff?county={COUNTY}", "#to-assign .assign-form", "the finding to assign")
            assert deputies[0][1] in page.inner_text("#to-assign")
            walk.submit("#to-assign .assign-form", re.compile(r"done=finding_assigned"))
            walk.sign_in("gov_unit", BODY)
            walk.go_until(f"/supervision/unit?county={COUNTY}", f"{card} .answer-form", "the finding to answer")
            page.fill(f"{card} .answer-form textarea", "已设置警示标识和防护栏")
            walk.submit(f"{card} .answer-form", re.compile(r"done=finding_answered"))
            walk.sign_in("deputy", deputies[0][1])
            walk.go_until("/supervision/inspect", f"{section} .review-form", "the answer to review")
            walk.press(f"{section} .review-form button[value=yes]", re.compile(r"done=finding_reviewed"))

            # 8. completion (完工) by the unit, acceptance (验收) by the group deputy. The county looks
            # back a month after completion (its rule, changed by staff on the rules page) and the unit
            # reports work finished 40 days ago, so the look-back (step 11) falls due within the walk
            walk.sign_in("congress_staff", f"周干事{tag}")
            walk.go(f"/evaluation/rules?county={COUNTY}")
            page.fill("#f-rule-lookback_months", "1")
            page.fill("#f-reason", "试点：完工一个月后回头看")
            walk.press("#rules-save", re.compile(r"saved="))
            assert page.locator("#saved").count() == 1
            walk.sign_in("gov_unit", BODY)
            walk.go_until(f"/supervision/unit?county={COUNTY}", f"{card} a[href$='/completion']", "completion")
            walk.click(f"{card} a[href$='/completion']")
            page.fill("#completed_on", (today - timedelta(days=40)).isoformat())
            page.fill("#spent", "880000")
            walk.submit("#completion-form", re.compile(r"done=completion_reported"))
            walk.sign_in("deputy", deputies[0][1])
            walk.go_until("/supervision/inspect", f"{section} a[href$='/acceptance']", "the acceptance check")
            walk.click(f"{section} a[href$='/acceptance']")
            walk.submit("#acceptance-form", re.compile(r"done=acceptance_checked"))
            walk.go("/logout")
            walk.go_until(f"/supervision/?county={COUNTY}", f"a:has-text('{name}')", "the project on the board")
            walk.click(f"a:has-text('{name}')")
            assert f"验收通过 · {deputies[0][1]}" in page.inner_text("#acceptance")
            project_path = walk.path().split("?")[0]  # /supervision/projects/<id>
            evaluation_page = project_path.replace("/supervision/", "/evaluation/")
            # the resident follows their demand to the project and rates it from the tracking page
            walk.go(f"/intake/track/{first}")
            assert name in page.inner_text("#fate .project-fate")
            walk.click("#rate-link")
            page.check("#resident-rate input[value=basically_satisfied]")
            walk.submit("#resident-rate")
            assert page.locator("#rated").count() == 1

            # 9. rating (满意度测评) at next year's session: staff open the round, the deputy checks in on
            # their own phone, staff start it, the deputy rates secretly, staff close, confirm, distribute
            walk.sign_in("congress_staff", f"周干事{tag}")
            card = staff_open_the_rating_round(walk, today.year)
            deputy = Walk(deputys_phone.new_page(), running_product.origin)
            deputy.sign_in("deputy", deputies[0][1])
            deputy.go(f"/evaluation/rate?county={COUNTY}")
            deputy.press("#check-in")
            deputy.page.wait_for_selector("#token-state:not([hidden])")
            staff_step_the_round(walk, card, "start")
            deputy.go(f"/evaluation/rate?county={COUNTY}")
            deputy.page.check("#cast-form input[value=unsatisfied]")
            deputy.page.click("#cast-form button[type=submit]")
            deputy.page.click("#cast")  # after reviewing the summary
            deputy.page.wait_for_selector("#receipt:not([hidden])")
            deputy.fits()
            for action in ("close", "confirm", "distribute"):
                staff_step_the_round(walk, card, action)
            assert "主席团已确认" in page.inner_text(card)

            # 10. rectification (整改): the unit reports, the standing committee rates it again
            rectification = f"section.rectification:has(h3:has-text('{name}'))"
            assert "整改中" in page.inner_text(rectification)
            walk.sign_in("gov_unit", BODY)
            walk.go(f"/evaluation/board?county={COUNTY}")
            page.fill(f"{rectification} textarea[name=text]", "已加装泵站降噪设施，完成用户回访")
            walk.press(f"{rectification} form[action*='/report'] button", re.compile(r"/evaluation/board"))
            walk.sign_in("congress_staff", f"周干事{tag}")
            walk.go(f"/evaluation/board?county={COUNTY}")
            page.fill(f"{rectification} input[name=satisfied]", "12")
            page.fill(f"{rectification} input[name=basically_satisfied]", "3")
            page.fill(f"{rectification} input[name=unsatisfied]", "1")
            walk.press(f"{rectification} form[action*='/re-rating'] button", re.compile(r"/evaluation/board"))
            assert "整改后测评通过" in page.inner_text(rectification)

            # 11. look-back (回头看): due a month after the completion by the county's rule, recorded by
            # staff on the project's evaluation page
            walk.sign_in("congress_staff", f"周干事{tag}")
            walk.go(evaluation_page)
            for question in ("in_use", "held_up", "residents_satisfied"):
                page.check(f"#lookback-form input[name={question}][value=yes]")
            walk.submit("#lookback-form", re.compile(r"/evaluation/projects/"))
            assert page.locator("#lookbacks p.lookback").count() == 1
            assert f"周干事{tag}" in page.inner_text("#lookbacks")

            for w in (walk, deputy):
                assert w.too_wide == [], "pages wider than the phone"
                assert w.api_calls == [], "the walk opened an API"
                assert w.errors == []
        finally:
            context.close()
            deputys_phone.close()
