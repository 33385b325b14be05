// Popovers and menus are <details> elements: Escape closes the one in use (focus goes back to
// its summary), and a click elsewhere closes every open one.
const POPOVERS = "details.popover[open], details.menu[open]";

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = [...document.querySelectorAll(POPOVERS)];
  const inUse = open.filter((d) => d.contains(document.activeElement)).pop() ?? open.pop();
  if (!inUse) return;
  inUse.open = false;
  inUse.querySelector("summary")?.focus();
  event.preventDefault();
});

document.addEventListener("click", (event) => {
  for (const details of document.querySelectorAll(POPOVERS)) {
    if (!details.contains(event.target)) details.open = false;
  }
});
