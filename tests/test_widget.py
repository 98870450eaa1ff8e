"""The chat widget in a real browser: Debian's Chromium (headless), driven by Playwright, on the
demo page (web/index.html) served from this folder, talking to a real Rasa server and action
server over socket.io. Screenshots go to tests/artifacts/.

`make test` installs Chromium (scripts/install-chromium.sh) and axe-core (build/axe-core/).
"""
from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Iterator, List
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from assistant.sources import load_registry
from conftest import ARTIFACTS, ROOT, Servers

WEB = ROOT / "web"
AXE = ROOT / "build" / "axe-core" / "axe.min.js"
DEMO_SERVER = "localhost:5005"  # the Rasa server the demo page names; the tests swap in their own
# As the machine notes advise: no sandbox (root), no GPU, and no background calls to Google.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ZOOM_200 = {"width": 640, "height": 400}  # a 1280x800 screen at 200% zoom

BOT_TEXT = ".rw-from-response .rw-message-text"
USER_TEXT = ".rw-from-client .rw-message-text"
HOSTILE = [
    '<img src=x onerror="window.__injected=1">',
    "<script>window.__injected=2</script>",
    "[click me](javascript:window.__injected=3)",
]


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site(servers: Servers) -> Iterator[str]:
    """web/ served on the origin the test Rasa server allows, pointing at that server."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path in ("/", "/index.html"):
                page = (WEB / "index.html").read_text(encoding="utf-8")
                body = page.replace(DEMO_SERVER, f"127.0.0.1:{servers.rasa_port}").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                super().do_GET()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", servers.web_port), functools.partial(Handler, directory=str(WEB))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield servers.web_origin + "/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    assert chromium, "Chromium is missing: `make test` installs it (scripts/install-chromium.sh)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_page(browser: Browser, site: str, viewport: dict = DESKTOP) -> Page:
    """A new visitor (empty storage) on the demo page, with CSP violations recorded."""
    page = browser.new_context(viewport=viewport).new_page()
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(site)
    return page


def open_chat(page: Page) -> None:
    page.locator(".rw-launcher").click()
    expect(page.locator(BOT_TEXT).first).to_contain_text("not medical advice", timeout=30_000)


def ask(page: Page, text: str, expect_text: str) -> List[str]:
    """Types a message and waits for a new bot message containing expect_text; returns the new ones."""
    before = page.locator(BOT_TEXT).count()
    page.locator(".rw-new-message").fill(text)
    page.keyboard.press("Enter")
    page.wait_for_function(
        """([selector, before, wanted]) => [...document.querySelectorAll(selector)].slice(before)
               .some(m => m.innerText.includes(wanted))""",
        arg=[BOT_TEXT, before, expect_text], timeout=30_000,
    )
    page.wait_for_timeout(1000)  # the rest of the turn (sources, buttons) arrives just after
    return page.locator(BOT_TEXT).all_inner_texts()[before:]


def registry_addresses() -> set:
    return {source.url for source in load_registry().values()}


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"widget-{name}.png"
    page.screenshot(path=str(path))
    return path


# ----------------------------------------------------------------------------- tests


def test_a_visitor_conversation_in_the_browser(browser: Browser, site: str, servers: Servers) -> None:
    page = open_page(browser, site)
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(urlparse(request.url).netloc))

    open_chat(page)
    greeting = page.locator(BOT_TEXT).first.inner_text()
    assert "not medical advice" in greeting and "emergency" in greeting

    # A quick reply sends its question; the answer ends with numbered sources as links.
    page.locator(".rw-reply", has_text="What is POI?").click()
    page.wait_for_function(
        "s => [...document.querySelectorAll(s)].some(m => m.innerText.startsWith('Sources:'))", arg=BOT_TEXT,
        timeout=30_000,
    )
    expect(page.locator(USER_TEXT).last).to_have_text("What is POI?")
    assert "ovaries stop working" in page.locator(BOT_TEXT).nth(1).inner_text()
    links = page.locator(f"{BOT_TEXT} a")
    assert links.count() >= 1
    known = registry_addresses()
    for i in range(links.count()):
        link = links.nth(i)
        assert link.get_attribute("href") in known, "a source link that is not in sources.yml"
        assert link.get_attribute("target") == "_blank"
        assert "noopener" in (link.get_attribute("rel") or "")
    first = links.first.get_attribute("href")
    # Clicking opens a new tab that asks for the source's address (the page itself is offline here).
    with page.expect_popup() as popup, page.context.expect_event(
        "request", predicate=lambda request: request.url.rstrip("/") == first.rstrip("/")
    ):
        links.first.click()
    popup.value.close()
    screenshot(page, "desktop")

    # Own case and emergency: the guardrail responses, the emergency one first.
    own = ask(page, "My FSH is 48, do I have POI?", "can't give advice about your own situation")
    assert "specialist" in own[0] or "doctor" in own[0]
    emergency = ask(page, "I am bleeding heavily and feel faint", "911")
    assert "911" in emergency[0] and "112" in emergency[0] and "999" in emergency[0]

    # Hostile strings are shown as typed, as text; nothing runs, nothing is inserted.
    for text in HOSTILE:
        before = page.locator(BOT_TEXT).count()
        page.locator(".rw-new-message").fill(text)
        page.keyboard.press("Enter")
        expect(page.locator(USER_TEXT).last).to_have_text(text)
        page.wait_for_function("([s, n]) => document.querySelectorAll(s).length > n", arg=[BOT_TEXT, before],
                               timeout=30_000)
    assert page.evaluate("window.__injected") is None
    assert page.locator("#poi-chat img[src='x'], #poi-chat script").count() == 0
    # Everything the bot sent rendered as text, paragraphs and links: no other element.
    tags = set(page.evaluate(f"[...document.querySelectorAll('{BOT_TEXT} *')].map(e => e.tagName)"))
    assert tags <= {"DIV", "P", "BR", "A", "UL", "OL", "LI", "STRONG", "EM", "SPAN"}, tags

    # The conversation survives a reload, in the page and on the server.
    session_id = page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id")
    shown_before = page.locator(USER_TEXT).all_inner_texts()
    page.reload()
    expect(page.locator(".rw-launcher")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)  # the widget restores its state (open or closed) from storage
    if not page.locator(".rw-chat-open").count():
        page.locator(".rw-launcher").click()
    expect(page.locator(USER_TEXT)).to_have_count(len(shown_before), timeout=30_000)
    assert page.locator(USER_TEXT).all_inner_texts() == shown_before
    ask(page, "what are your sources?", "Sources")
    assert page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id") == session_id
    said = [e["text"] for e in servers.tracker(session_id)["events"] if e["event"] == "user"]
    assert "What is POI?" in said and said[-1] == "what are your sources?"

    # Only this site and the assistant's server were contacted, and the page's CSP held.
    assert requested_hosts <= {urlparse(site).netloc, f"127.0.0.1:{servers.rasa_port}"}, requested_hosts
    assert page.evaluate("window.__csp") == []
    page.context.close()


def test_keyboard_only(browser: Browser, site: str) -> None:
    page = open_page(browser, site)
    launcher = page.locator(".rw-launcher")
    expect(launcher).to_be_visible(timeout=30_000)  # shown once the widget has connected
    page.keyboard.press("Tab")
    expect(launcher).to_be_focused()
    assert launcher.get_attribute("aria-label") == "Open the chat: questions about POI"
    page.keyboard.press("Enter")
    expect(page.locator(BOT_TEXT).first).to_contain_text("not medical advice", timeout=30_000)
    expect(page.locator(".rw-new-message")).to_be_focused()

    # Back from the text box to the last quick reply, and Enter sends it.
    expect(page.locator(".rw-reply").last).to_be_visible()
    last_reply = page.locator(".rw-reply").last.inner_text()
    page.keyboard.press("Shift+Tab")
    expect(page.locator(".rw-reply").last).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(USER_TEXT).last).to_have_text(last_reply, timeout=10_000)

    # Typing and Enter send a question; Escape closes the chat and gives focus back to the launcher.
    page.locator(".rw-new-message").focus()
    ask(page, "Is stem cell therapy for POI approved?", "not approved")
    page.keyboard.press("Escape")
    expect(page.locator(".rw-chat-open")).to_have_count(0)
    expect(launcher).to_be_focused()
    assert launcher.get_attribute("aria-expanded") == "false"
    page.context.close()


@pytest.mark.parametrize("name,viewport", [("desktop", DESKTOP), ("phone", PHONE), ("zoom200", ZOOM_200)])
def test_no_serious_accessibility_violations(browser: Browser, site: str, name: str, viewport: dict) -> None:
    """axe-core (the standard checker) on the page with the chat open and an answer shown."""
    page = open_page(browser, site, viewport)
    open_chat(page)
    ask(page, "What are the symptoms of POI?", "Sources:")
    page.evaluate(AXE.read_text(encoding="utf-8") + ";0")  # by the driver, so the page's CSP allows it
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious
    # Readable: the open chat fits the screen, its text box is on screen.
    box = page.locator(".rw-conversation-container").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1
    expect(page.locator(".rw-new-message")).to_be_in_viewport()
    if name != "desktop":
        screenshot(page, name)
    page.context.close()


OPEN_SOCKET = """url => new Promise(resolve => {
    const ws = new WebSocket(url);
    ws.onmessage = e => {
        if (e.data.startsWith("0")) ws.send("40");            // engine.io open -> socket.io connect
        else if (e.data.startsWith("4")) { resolve(e.data.slice(0, 2)); ws.close(); }
    };
    ws.onerror = () => resolve("error");
    setTimeout(() => resolve("timeout"), 10000);
})"""


def test_a_page_elsewhere_cannot_open_the_chat_socket(browser: Browser, site: str, servers: Servers) -> None:
    """Browsers apply no CORS to WebSockets: the server itself must refuse other origins."""
    socket_url = f"ws://127.0.0.1:{servers.rasa_port}/socket.io/?EIO=4&transport=websocket"
    allowed = open_page(browser, site)
    assert allowed.evaluate(OPEN_SOCKET, socket_url) == "40"  # connected
    allowed.context.close()
    elsewhere = open_page(browser, site.replace("127.0.0.1", "localhost"))  # another origin
    assert elsewhere.evaluate(OPEN_SOCKET, socket_url) == "44"  # connect error
    expect(elsewhere.locator(".rw-launcher")).to_have_count(0)  # the widget never connects
    elsewhere.context.close()


def test_the_readme_embed_snippet_is_the_one_the_demo_page_uses() -> None:
    """The browser tests run the demo page; this keeps the README's copy-paste snippet the same."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"### Embed the chat on a web page.*?```html\n(.*?)```", readme, re.S).group(1)
    page = (WEB / "index.html").read_text(encoding="utf-8")
    embed = re.search(r"<!-- poi-chat embed.*?-->\n(.*?)  <!-- /poi-chat embed -->", page, re.S).group(1)
    assert " ".join(snippet.split()) == " ".join(embed.split())
