// The ask form: as the title is typed, list up to five similar questions (debounced).
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("similar-questions");
  const title = document.getElementById("title");
  if (!box || !title) return;
  const list = box.querySelector("ul");
  let timer = null;
  let last = "";

  function show(results) {
    list.replaceChildren();
    results.forEach((result) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = result.url;
      link.textContent = result.title;
      link.target = "_blank";
      link.rel = "noopener";
      item.appendChild(link);
      list.appendChild(item);
    });
    box.hidden = results.length === 0;
  }

  function lookup() {
    const text = title.value.trim();
    if (text === last) return;
    last = text;
    if (text.length < 2) {
      show([]);
      return;
    }
    const url = box.dataset.url + "?title=" + encodeURIComponent(text);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : { results: [] }))
      .then((data) => {
        if (title.value.trim() === text) show(data.results || []);
      })
      .catch(() => show([]));
  }

  title.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, 350);
  });
});
