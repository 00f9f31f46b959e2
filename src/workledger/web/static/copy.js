// "Copy token": copies the value of the input named by the button's data-copy attribute.
// No inline scripts (the Content-Security-Policy forbids them), no framework.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  const label = button.textContent;
  let copied = false;
  try {
    await navigator.clipboard.writeText(field.value);
    copied = true;
  } catch (error) {
    field.focus();
    field.select();
    copied = document.execCommand && document.execCommand("copy");
  }
  button.textContent = copied ? "Copied" : "Select and copy by hand";
  setTimeout(() => { button.textContent = label; }, 2000);
});
