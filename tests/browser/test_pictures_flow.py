"""On a phone: the Markdown toolbar formats text, and a picture picked or pasted is uploaded,
inserted and shown in the posted question, to members only."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_qa_flow import log_in
from tests.media import pictures

PASTE_A_SCREENSHOT = """async (bytes) => {
  const file = new File([new Uint8Array(bytes)], "screenshot.png", { type: "image/png" });
  const transfer = new DataTransfer();
  transfer.items.add(file);
  const area = document.querySelector("#body");
  area.focus();
  const paste = { clipboardData: transfer, bubbles: true, cancelable: true };
  area.dispatchEvent(new ClipboardEvent("paste", paste));
}"""


def test_a_member_formats_picks_and_pastes_pictures_on_a_phone(
    phone_page, live_server, member, tmp_path
):
    page = phone_page
    log_in(page, member.email)
    page.goto("/qa/ask")
    toolbar = page.get_by_role("toolbar", name="格式")
    for label in ("粗体", "列表", "链接", "图片"):
        button = toolbar.get_by_role("button", name=label)
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (label, box)

    body = page.locator("#body")
    body.fill("账单看不懂")
    body.evaluate("area => area.setSelectionRange(0, 2)")
    toolbar.get_by_role("button", name="粗体").click()
    expect(body).to_have_value("**账单**看不懂")

    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(pictures.photo_with_location((2400, 1800)))
    page.get_by_test_id("editor-file").set_input_files(str(photo))
    expect(body).to_have_value(re.compile(r"!\[图片\]\(/media/[\w-]{22}\)"))
    expect(toolbar.get_by_role("status")).to_have_text("图片已插入。")

    page.evaluate(PASTE_A_SCREENSHOT, list(pictures.screenshot()))
    expect(body).to_have_value(re.compile(r"(!\[图片\]\(/media/[\w-]{22}\)[\s\S]*){2}"))

    page.locator("#title").fill("信用卡账单上的这笔费用是什么")
    page.locator("#tags").fill("信用卡")
    page.get_by_test_id("post-question").click()
    expect(page).to_have_url(re.compile(r"/qa/\d+$"))
    images = page.get_by_test_id("question-body").locator("img")
    expect(images).to_have_count(2)
    # The page is there before its pictures: wait until both have loaded (or failed to).
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=question-body] img')]"
        ".every(img => img.complete)"
    )
    loaded = images.evaluate_all("all => all.map(img => [img.complete, img.naturalWidth])")
    assert loaded == [[True, 1280], [True, 390]], loaded
    first = images.first.get_attribute("src")

    page.context.clear_cookies()
    assert page.request.get(first).status == 404


def test_a_file_that_is_not_a_picture_is_refused_with_a_message(
    phone_page, live_server, member, tmp_path
):
    page = phone_page
    log_in(page, member.email)
    page.goto("/qa/ask")
    fake = tmp_path / "photo.png"
    fake.write_bytes(pictures.html_named_png())
    page.get_by_test_id("editor-file").set_input_files(str(fake))
    status = page.get_by_role("toolbar", name="格式").get_by_role("status")
    expect(status).to_contain_text("不是可以显示的图片")
    expect(page.locator("#body")).to_have_value("")
