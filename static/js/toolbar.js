// A Markdown toolbar (bold, list, link, picture) over every text area marked data-editor.
// Pictures are picked (a phone offers its camera and albums), pasted or dropped, uploaded to
// data-upload-url with the form's CSRF token, and inserted as Markdown. Without script the
// text area works as it is.
(() => {
  const replaceSelection = (area, make) => {
    const start = area.selectionStart;
    const end = area.selectionEnd;
    const chosen = area.value.slice(start, end);
    const [text, selectFrom, selectTo] = make(chosen);
    area.setRangeText(text, start, end, "end");
    area.setSelectionRange(start + selectFrom, start + selectTo);
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  };

  const bold = (area) =>
    replaceSelection(area, (chosen) => {
      const words = chosen || area.dataset.labelBold;
      return [`**${words}**`, 2, 2 + words.length];
    });

  const list = (area) =>
    replaceSelection(area, (chosen) => {
      const lines = (chosen || area.dataset.labelList).split("\n");
      const text = lines.map((line) => (line.startsWith("- ") ? line : `- ${line}`)).join("\n");
      const lead = area.selectionStart > 0 && area.value[area.selectionStart - 1] !== "\n" ? "\n" : "";
      return [lead + text, lead.length, lead.length + text.length];
    });

  const link = (area) =>
    replaceSelection(area, (chosen) => {
      const words = chosen || area.dataset.labelLink;
      const text = `[${words}](https://)`;
      return [text, words.length + 3, text.length - 1];
    });

  const insertLine = (area, markdown) =>
    replaceSelection(area, () => {
      const before = area.selectionStart > 0 && area.value[area.selectionStart - 1] !== "\n" ? "\n" : "";
      const text = `${before}${markdown}\n`;
      return [text, text.length, text.length];
    });

  const upload = async (area, file, status) => {
    const token = area.form && area.form.querySelector("input[name=csrf_token]");
    const body = new FormData();
    body.append("image", file, file.name || "picture");
    status.textContent = area.dataset.labelUploading;
    try {
      const response = await fetch(area.dataset.uploadUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" },
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        status.textContent = answer.message || answer.error || area.dataset.labelFailed;
        return;
      }
      insertLine(area, answer.markdown);
      status.textContent = area.dataset.labelUploaded;
    } catch (error) {
      status.textContent = area.dataset.labelFailed;
    }
  };

  const uploadAll = (area, files, status) => {
    const pictures = Array.from(files || []).filter((file) => file.type.startsWith("image/"));
    pictures.reduce((previous, file) => previous.then(() => upload(area, file, status)), Promise.resolve());
    return pictures.length > 0;
  };

  const button = (label, className, action) => {
    const element = document.createElement("button");
    element.type = "button";
    element.className = `editor-button ${className}`;
    element.textContent = label;
    element.addEventListener("click", action);
    return element;
  };

  const equip = (area) => {
    const bar = document.createElement("div");
    bar.className = "editor-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", area.dataset.labelToolbar);
    if (area.id) bar.setAttribute("aria-controls", area.id);
    const status = document.createElement("span");
    status.className = "editor-status muted";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    const picker = document.createElement("input");
    picker.type = "file";
    picker.accept = "image/*";
    picker.multiple = true;
    picker.hidden = true;
    picker.setAttribute("aria-hidden", "true");
    picker.tabIndex = -1;
    picker.dataset.testid = "editor-file";
    picker.addEventListener("change", () => {
      uploadAll(area, picker.files, status);
      picker.value = "";
    });
    bar.append(
      button(area.dataset.labelBold, "editor-bold", () => bold(area)),
      button(area.dataset.labelList, "editor-list", () => list(area)),
      button(area.dataset.labelLink, "editor-link", () => link(area)),
      button(area.dataset.labelImage, "editor-image", () => picker.click()),
      picker,
      status,
    );
    area.parentNode.insertBefore(bar, area);
    area.addEventListener("paste", (event) => {
      if (event.clipboardData && uploadAll(area, event.clipboardData.files, status)) {
        event.preventDefault();
      }
    });
    area.addEventListener("dragover", (event) => event.preventDefault());
    area.addEventListener("drop", (event) => {
      if (event.dataTransfer && uploadAll(area, event.dataTransfer.files, status)) {
        event.preventDefault();
      }
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("textarea[data-editor]").forEach(equip);
  });
})();
