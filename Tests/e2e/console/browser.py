"""The ops console in headless Chromium: sign-in with the form, the numbers of services and Directives, a held action
approved in the page, no data without a token; and the attacks: a reflected-XSS link, a forged form from another origin."""
import http.server
import json
import os
import threading
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

console, mock = os.environ["CONSOLE"], os.environ["MOCK"]
failures = 0


def check(description, ok, detail=""):
    global failures
    print(f"{description:<64}{'ok' if ok else 'FAILED'}")
    if not ok:
        failures += 1
        if detail:
            print(f"    {detail}")


def wait(predicate, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception:  # the page is being replaced under us: try again
            pass
        time.sleep(0.25)
    return None


def replicas():
    out = subprocess.run(["kubectl", "--kubeconfig", os.environ["KUBECONFIG"], "get", "deploy", "eligibility-api", "-n", "student-aid",
                          "-o", "jsonpath={.spec.replicas}"], capture_output=True, text=True)
    return out.stdout.strip()


def control(path, body):
    request = urllib.request.Request(f"{mock}/mock/v1/{path}", data=json.dumps(body).encode(), method="PUT",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()


def browser():
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


driver = browser()
try:
    # Without a token: nothing but the sign-in form.
    driver.get(f"{console}/ops")
    body = driver.find_element(By.TAG_NAME, "body").text
    check("the browser without a token sees no data", "eligibility" not in body and driver.find_elements(By.NAME, "token"), body[:200])

    # A link with a token in it signs nobody in.
    driver.get(f"{console}/ops?token={os.environ['APPROVER_TOKEN']}")
    check("a link with ?token= signs nobody in", "eligibility" not in driver.page_source and not driver.get_cookies())

    # Sign in with the form: the token goes in a POST body.
    driver.get(f"{console}/ops/login")
    driver.find_element(By.NAME, "token").send_keys(os.environ["APPROVER_TOKEN"])
    driver.find_element(By.CSS_SELECTOR, "form.sign-in button").click()
    wait(lambda: driver.current_url.endswith("/ops"), 10)
    check("signing in with the form leads to /ops", driver.current_url.endswith("/ops"), driver.current_url)
    cookies = {c["name"]: c for c in driver.get_cookies()}
    session = cookies.get("hms_console_session", {})
    check("the session cookie is HttpOnly, SameSite=Strict, and not the token",
          session.get("httpOnly") and session.get("sameSite") == "Strict" and session.get("value") != os.environ["APPROVER_TOKEN"], str(session))

    # Reflected XSS: a quote followed by a combining mark, then an autofocus handler, in the search field.
    marker = "window.__hmsXSS=1"
    driver.get(f"{console}/ops?resource=%22%CC%81%20autofocus%20onfocus%3D{urllib.parse.quote(marker)}%20x%3D#journal")
    def search_field():
        """The field's value and handler attributes, read in one go (the page swaps the section on every pass)."""
        field = driver.find_element(By.CSS_SELECTOR, '#journal input[name="resource"]')
        return {"value": field.get_attribute("value"), "onfocus": field.get_attribute("onfocus"), "autofocus": field.get_attribute("autofocus")}

    def focus_search_field():
        driver.find_element(By.CSS_SELECTOR, '#journal input[name="resource"]').click()  # a focus handler, were there one, runs now
        return True

    search = wait(search_field, 10) or {}
    check("XSS: the search field keeps the text as its value", (search.get("value") or "").startswith('"'), str(search))
    check("XSS: it has no handler the URL put there", search.get("onfocus") is None and search.get("autofocus") is None, str(search))
    check("XSS: the field takes the focus", bool(wait(focus_search_field, 10)))
    check("XSS: no script from the URL ran", driver.execute_script("return window.__hmsXSS === undefined"))

    row = wait(lambda: driver.find_element(By.CSS_SELECTOR, '#services tr[data-service="eligibility-api"]'), 10)
    check("the service is listed", row is not None)
    desired = wait(lambda: driver.find_element(By.CSS_SELECTOR, '#services tr[data-service="eligibility-api"] .desired').text == "4", 15)
    check("it shows 4 desired replicas", bool(desired))
    # The live page swaps its sections on every pass: read them through wait(), which tries again.
    check("it shows its metric", bool(wait(lambda: "http_rps" in driver.find_element(By.ID, "services").text, 10)))
    check("the budget shows a limit of $10,000.00", bool(wait(lambda: "$10,000.00" in driver.find_element(By.ID, "budgets").text, 10)))
    check("the budget has a bar of spend and projection",
          bool(wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#budgets .bar .bar-spent")) == 1, 10)))

    # Directives: both runs caught up at the first pass; their jobs (1 s each in the mock) finish
    # while the page is open, so the numbers arrive live.
    run_id = os.environ["RUN_ID"]

    def run_facts(directive):
        """What the page says of the run, read in one go (the page swaps its sections on every pass)."""
        row = driver.find_element(By.CSS_SELECTOR, f'#directives article[data-directive="{directive}"] tr[data-run="{run_id}"]')
        progress = row.find_element(By.TAG_NAME, "progress")
        return {
            "done": row.find_element(By.CSS_SELECTOR, ".done").text,
            "total": row.find_element(By.CSS_SELECTOR, ".total").text,
            "progress": (progress.get_attribute("value"), progress.get_attribute("max")),
            "states": {li.get_attribute("data-job"): li.find_element(By.CSS_SELECTOR, ".state").text
                       for li in row.find_elements(By.CSS_SELECTOR, "ul.jobs li")},
            "slo": row.find_element(By.CSS_SELECTOR, ".slo-state").text,
            "incidents": row.find_element(By.CSS_SELECTOR, ".incidents").text,
        }

    def settled(directive, slo):
        facts = run_facts(directive)
        return facts if facts["done"] == "3" and facts["slo"] == slo else None

    for directive, slo in (("dispatch-late", "breached"), ("dispatch-ontime", "met")):
        facts = wait(lambda: settled(directive, slo), 30) or wait(lambda: run_facts(directive), 5) or {}
        check(f"{directive}: run {run_id} shows 3 of 3 jobs done", (facts.get("done"), facts.get("total")) == ("3", "3"), str(facts))
        check(f"{directive}: a progress bar at 3 of 3", facts.get("progress") == ("3", "3"), str(facts.get("progress")))
        check(f"{directive}: each job SUCCEEDED", facts.get("states") == {"power-tx": "SUCCEEDED", "power-ok": "SUCCEEDED", "power-ar": "SUCCEEDED"},
              str(facts.get("states")))
        check(f"{directive}: its SLO is {slo}", facts.get("slo") == slo, str(facts.get("slo")))
        incidents = facts.get("incidents", "")
        if slo == "breached":
            check(f"{directive}: the SLOBreached incident with its message",
                  "SLOBreached" in incidents and "was not complete at its SLO deadline" in incidents, incidents)
        else:
            check(f"{directive}: no incident", incidents == "none", incidents)

    # 6,000 requests a second at 500 per pod wants 12 replicas; above 10 the governance policy holds it.
    control("load/student-aid/eligibility-api", {"http_rps": 6000})
    # Live: the held action appears through the event stream, without a reload.
    def held_scale_up():
        """The held scale-up to 12, its id and text read in one go (the section is swapped on every pass)."""
        for article in driver.find_elements(By.CSS_SELECTOR, "#held article.action"):
            text = article.text
            if "→ 12" in text:
                return {"id": article.get_attribute("data-action"), "text": text}
        return None

    held = wait(held_scale_up, 60)
    check("a held scale-up to 12 appears without reloading", bool(held), str(held))
    if held:
        check("its gates explain why (max-replicas)", "[max-replicas]" in held["text"], held["text"])
        # Approving by a RoleBinding in student-aid only: the button for this action all the same.
        request = urllib.request.Request(f"{console}/ops", headers={"Authorization": f"Bearer {os.environ['NAMESPACE_APPROVER_TOKEN']}"})
        page = urllib.request.urlopen(request).read().decode()
        action = held["id"]
        check("an approver in student-aid only gets the button too",
              "(approver in student-aid)" in page and f'name="id" value="{action}"' in page, page[:300])
        # A page on another origin (same host, another port: the same site, so SameSite=Strict sends
        # the cookie) posts the reject form to the console. It must be refused and write nothing.
        forged = f"""<!doctype html><form method="post" action="{console}/ops/reject">
            <input name="id" value="{action}"></form><script>document.forms[0].submit()</script>"""

        class Evil(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(forged.encode())

            def log_message(self, *args):
                pass

        evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Evil)
        threading.Thread(target=evil.serve_forever, daemon=True).start()
        console_page = driver.current_window_handle
        driver.switch_to.new_window("tab")
        driver.get(f"http://127.0.0.1:{evil.server_address[1]}/")
        refused = wait(lambda: "refused" in driver.find_element(By.TAG_NAME, "body").text, 10)
        check("CSRF: a form from another origin is refused", bool(refused), driver.page_source[:200])
        approvals = subprocess.run(["kubectl", "--kubeconfig", os.environ["KUBECONFIG"], "get", "approvals", "-A", "-o", "name"],
                                   capture_output=True, text=True).stdout.split()
        check("CSRF: ... and no Approval was written", approvals == [], str(approvals))
        evil.shutdown()
        driver.close()
        driver.switch_to.window(console_page)
        # The live page swaps the section on every pass: find the button afresh until a click lands.
        def approve():
            driver.find_element(By.CSS_SELECTOR, f'#held article.action[data-action="{action}"] button.approve').click()
            return True
        check("the Approve button is clicked", bool(wait(approve, 10)))
        notice = wait(lambda: driver.find_element(By.CSS_SELECTOR, ".notice").text, 10)
        check("approving says the Approval was written", bool(notice) and "written" in notice, str(notice))
        scaled = wait(lambda: replicas() == "12", 30)
        check("the Deployment scales to 12 after the approval", bool(scaled), f"replicas: {replicas()}")
        journal = wait(lambda: "approved by alice" in driver.find_element(By.ID, "journal").text, 15)
        check("the journal shows the approval by alice", bool(journal))
    driver.save_screenshot(os.environ["SCREENSHOT"])
    print(f"    screenshot: {os.environ['SCREENSHOT']}")
    # Signing out ends the session: the page is gone, and the old cookie too.
    driver.get(f"{console}/ops")
    wait(lambda: driver.find_element(By.CSS_SELECTOR, "form.sign-out button"), 10).click()
    wait(lambda: driver.current_url.endswith("/ops/login"), 10)
    driver.get(f"{console}/ops")
    check("signed out: the page shows the sign-in form again", "eligibility" not in driver.page_source and driver.find_elements(By.NAME, "token"))
    request = urllib.request.Request(f"{console}/ops", headers={"Cookie": f"hms_console_session={session.get('value')}"})
    try:
        urllib.request.urlopen(request)
        check("signed out: the old session cookie is refused", False)
    except urllib.error.HTTPError as error:
        check("signed out: the old session cookie is refused", error.code == 401, str(error.code))
finally:
    driver.quit()

# A fresh browser, no cookie: still nothing.
driver = browser()
try:
    driver.get(f"{console}/ops?verdict=HOLD")
    check("a fresh browser without a token still sees no data", "eligibility" not in driver.page_source)
finally:
    driver.quit()

sys.exit(1 if failures else 0)
