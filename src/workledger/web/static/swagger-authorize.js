// Swagger UI's Authorize dialog: open it at its top, on the first scheme (the company key).
// Swagger UI gives every scheme's input `autofocus`; the last one rendered (the bottom of
// the dialog) keeps the focus and the browser scrolls the dialog down to it, past the
// scheme the quickstart says to use first. When a dialog appears, focus moves to its
// first input and its content scrolls back to the top.
(() => {
  const settled = new WeakSet();
  new MutationObserver(() => {
    const content = document.querySelector(".swagger-ui .modal-ux-content");
    if (!content || settled.has(content)) return;
    // Swagger UI renders the dialog and its fields in one go; should they come later, wait.
    const first = content.querySelector("input");
    if (!first) return;
    settled.add(content);
    first.focus({ preventScroll: true });
    content.scrollTop = 0;
  }).observe(document.body, { childList: true, subtree: true });
})();
