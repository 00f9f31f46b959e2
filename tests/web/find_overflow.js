// Run in the page by tests/web/test_layout.py: every element that sticks out sideways,
// described. One pixel of slack for sub-pixel rounding.
(() => {
  const slack = 1;
  const found = [];
  const viewport = document.documentElement.clientWidth;
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const clips = (el) => ["hidden", "clip"].includes(getComputedStyle(el).overflowX);
  const name = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    if (typeof el.className === "string" && el.className.trim())
      text += "." + el.className.trim().split(/\s+/).join(".");
    const words = (el.innerText || el.value || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return words ? `${text} "${words}"` : text;
  };
  // Scrolling inside an overflow-x: auto box is deliberate; what a clipping box hides
  // (the visually hidden labels) is not seen.
  const sheltered = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement)
      if (scrolls(up) || clips(up)) return true;
    return false;
  };
  const contentBox = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const left = box.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft);
    const right = box.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight);
    return { left, right };
  };
  if (document.documentElement.scrollWidth > viewport + slack)
    found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px in a ${viewport} px viewport`);
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    if (["script", "style", "template", "option"].includes(el.tagName.toLowerCase())) continue;
    if (sheltered(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    // Form fields scroll their own text (a long token in a read-only input).
    const field = ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
    if (!field && !scrolls(el) && !clips(el) && el.clientWidth > 0
        && el.scrollWidth > el.clientWidth + slack)
      found.push(`${name(el)}: content ${el.scrollWidth} px wide in a box of ${el.clientWidth} px`);
    if (box.left < -slack || box.right > viewport + slack)
      found.push(`${name(el)}: ${Math.round(box.left)}..${Math.round(box.right)} px, beyond the ${viewport} px viewport`);
    const parent = el.parentElement;
    if (parent && parent !== document.body && !["absolute", "fixed"].includes(style.position)) {
      const room = contentBox(parent);
      const past = Math.max(room.left - box.left, box.right - room.right);
      if (past > slack)
        found.push(`${name(el)}: ${Math.round(past)} px outside ${name(parent)}`);
    }
  }
  return found;
})
