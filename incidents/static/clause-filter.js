// The clause picker's search (issue 17, item 3), as progressive enhancement: without this
// script every category's checkboxes are shown and the form works the same. With it, the
// search box appears and each word typed narrows the list to the clauses containing every
// word; a category with nothing left is hidden, and a clause already ticked always stays in
// view so a choice is never hidden from the person making it. Loaded as a module: the CSP
// forbids inline script.
const picker = document.querySelector("[data-clause-filter]");
const search = picker && picker.querySelector("[data-clause-search]");

if (picker && search) {
  const input = search.querySelector("input");
  const count = search.querySelector("[data-clause-count]");
  const groups = [...picker.querySelectorAll("[data-clause-group]")].map((boxes) => ({
    wrapper: boxes.closest(".govuk-form-group") || boxes,
    items: [...boxes.querySelectorAll(".govuk-checkboxes__item")].map((item) => ({
      item,
      box: item.querySelector("input"),
      words: item.textContent.toLowerCase().replace(/\s+/g, " "),
    })),
  }));
  const total = groups.reduce((n, g) => n + g.items.length, 0);

  const filter = () => {
    const wanted = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const group of groups) {
      let left = 0;
      for (const { item, box, words } of group.items) {
        const match = box.checked || wanted.every((w) => words.includes(w));
        item.hidden = !match;
        left += match;
      }
      group.wrapper.hidden = left === 0;
      shown += left;
    }
    count.textContent = wanted.length
      ? `${shown} of ${total} parts of the policy shown`
      : "";
  };

  search.hidden = false;
  input.addEventListener("input", filter);
  // Enter in the search box would send the whole form: it only filters.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
}
