/* The copy button of the new-token page (jiceng/api/pages.py). Without JavaScript, or
   where the clipboard is refused, the token stays selectable in its read-only field. */
"use strict";
document.querySelectorAll("[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copy);
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch (refused) {
      document.execCommand("copy");
    }
    button.textContent = button.dataset.done;
  });
});
